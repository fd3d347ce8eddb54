// Creates or updates relations; rows arrive only when they change something.
UNWIND $rows AS row
MATCH (a:{{From}} {key: row.from})
MATCH (b:{{To}} {key: row.to})
MERGE (a)-[r:{{REL}}]->(b)
ON CREATE SET r.createdAt = $now
WITH r, row, r.createdAt AS createdAt
SET r = row.props
SET r._rev = row.rev, r.createdAt = createdAt, r.updatedAt = $now
RETURN count(r) AS written
