// Creates or updates relations in one pass, like entity_upsert (properties assigned one
// by one, each named). Rows whose ends do not both exist produce nothing: the store
// compares the count and then names them. The indexes (row.i) of the relations that
// did change are returned for the audit record.
UNWIND $rows AS row
MATCH (a:{{From}} {key: row.from})
MATCH (b:{{To}} {key: row.to})
MERGE (a)-[r:{{REL}}]->(b)
ON CREATE SET r.createdAt = $now
WITH r, row, r._rev AS before
FOREACH (_ IN CASE WHEN before = row.rev THEN [] ELSE [1] END |
  SET r._rev = row.rev, r.updatedAt = $now{{assign}})
RETURN count(r) AS written,
       sum(CASE WHEN before IS NULL THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN before = row.rev THEN 1 ELSE 0 END) AS unchanged,
       collect(CASE WHEN before = row.rev THEN null ELSE row.i END) AS changed
