// Writes exported entities verbatim (import into an empty database).
UNWIND $rows AS row
CREATE (n:Entity:{{Label}})
SET n = row.props
SET n.key = row.key, n.id = row.id, n._rev = row.rev,
    n.createdAt = row.createdAt, n.updatedAt = row.updatedAt
RETURN count(n) AS written
