// Creates or replaces entities by key; rows arrive only when they change something.
UNWIND $rows AS row
MERGE (n:Entity:{{Label}} {key: row.key})
ON CREATE SET n.createdAt = $now
WITH n, row, n.createdAt AS createdAt
SET n = row.props
SET n.key = row.key, n.id = row.id, n._rev = row.rev, n.createdAt = createdAt, n.updatedAt = $now
RETURN count(n) AS written
