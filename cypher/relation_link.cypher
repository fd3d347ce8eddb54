// Creates or updates relations in one pass, like entity_upsert (rows as columns: row i
// is $fromKeys[i], $toKeys[i] and its property values $v[0][i]…, each property named).
// A relation keeps no revision: it is unchanged when its stored values equal the row's
// ({{same}}, graph_crm/store/neo4j/batch_rows.py), and then nothing is written, not even
// updatedAt. One created here has no updatedAt until the FOREACH sets it. Rows whose
// ends do not both exist produce nothing: the store compares the count and then names
// them. The indexes (i) of the relations that did change are returned for the audit
// record.
UNWIND range(0, size($fromKeys) - 1) AS i
MATCH (a:{{From}} {key: $fromKeys[i]})
MATCH (b:{{To}} {key: $toKeys[i]})
MERGE (a)-[r:{{REL}}]->(b)
ON CREATE SET r.createdAt = $now
WITH r, i, r.updatedAt IS NULL AS created, r.updatedAt IS NOT NULL AND {{same}} AS same
FOREACH (_ IN CASE WHEN same THEN [] ELSE [1] END |
  SET r.updatedAt = $now{{assign}})
RETURN count(r) AS written,
       sum(CASE WHEN created THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN same THEN 1 ELSE 0 END) AS unchanged,
       collect(CASE WHEN same THEN null ELSE i END) AS changed
