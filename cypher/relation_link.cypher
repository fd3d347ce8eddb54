// Creates or updates relations in one pass, like entity_upsert (rows as columns: row i
// is $fromKeys[i], $toKeys[i], $revs[i] and its property values $v[0][i]…, each property
// named). Rows whose ends do not both exist produce nothing: the store compares the
// count and then names them. The indexes (i) of the relations that did change are
// returned for the audit record.
UNWIND range(0, size($fromKeys) - 1) AS i
MATCH (a:{{From}} {key: $fromKeys[i]})
MATCH (b:{{To}} {key: $toKeys[i]})
MERGE (a)-[r:{{REL}}]->(b)
ON CREATE SET r.createdAt = $now
WITH r, i, r._rev AS before
FOREACH (_ IN CASE WHEN before = $revs[i] THEN [] ELSE [1] END |
  SET r._rev = $revs[i], r.updatedAt = $now{{assign}})
RETURN count(r) AS written,
       sum(CASE WHEN before IS NULL THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN before = $revs[i] THEN 1 ELSE 0 END) AS unchanged,
       collect(CASE WHEN before = $revs[i] THEN null ELSE i END) AS changed
