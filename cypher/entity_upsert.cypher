// Creates or replaces entities by key in one pass. The rows travel as columns
// (graph_crm/store/neo4j/batch_rows.py): row i is $keys[i], $ids[i], $revs[i] and its
// property values $v[0][i], $v[1][i]… (in the definition's order, assigned one by one,
// each property named; a null removes it). A row whose revision is already stored
// changes nothing, not even updatedAt. The statement itself counts what it created and
// found unchanged, and returns the indexes (i) of the rows that changed, for the audit
// record.
UNWIND range(0, size($keys) - 1) AS i
MERGE (n:Entity:{{Label}} {key: $keys[i]})
ON CREATE SET n.createdAt = $now
WITH n, i, n._rev AS before
FOREACH (_ IN CASE WHEN before = $revs[i] THEN [] ELSE [1] END |
  SET n.id = $ids[i], n._rev = $revs[i], n.updatedAt = $now{{assign}})
RETURN sum(CASE WHEN before IS NULL THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN before = $revs[i] THEN 1 ELSE 0 END) AS unchanged,
       collect(CASE WHEN before = $revs[i] THEN null ELSE i END) AS changed
