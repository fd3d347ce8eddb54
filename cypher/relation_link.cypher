// Creates or updates relations. The store sends only the rows whose revision differs
// from the stored one (relation_revisions, read first in the same transaction). Rows
// whose ends do not both exist produce nothing: the store compares the count and then
// names them.
UNWIND $rows AS row
MATCH (a:{{From}} {key: row.from})
MATCH (b:{{To}} {key: row.to})
MERGE (a)-[r:{{REL}}]->(b)
ON CREATE SET r.createdAt = $now
SET r += row.props, r._rev = row.rev, r.updatedAt = $now
RETURN count(*) AS written
