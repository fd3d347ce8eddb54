// Creates or replaces entities by key in one pass. Each row carries its revision and
// its property values (row.v, in the definition's order, assigned one by one, each
// property named; a null removes it); a row whose revision is already stored
// changes nothing, not even updatedAt. The statement itself counts what it created and
// found unchanged, and returns the indexes (row.i) of the rows that changed, for the
// audit record.
UNWIND $rows AS row
MERGE (n:Entity:{{Label}} {key: row.key})
ON CREATE SET n.createdAt = $now
WITH n, row, n._rev AS before
FOREACH (_ IN CASE WHEN before = row.rev THEN [] ELSE [1] END |
  SET n.id = row.id, n._rev = row.rev, n.updatedAt = $now{{assign}})
RETURN sum(CASE WHEN before IS NULL THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN before = row.rev THEN 1 ELSE 0 END) AS unchanged,
       collect(CASE WHEN before = row.rev THEN null ELSE row.i END) AS changed
