// Creates or replaces entities by key in one pass. Each row carries its revision and
// its complete property map (absent properties as null, which removes them); a row
// whose revision is already stored changes nothing, not even updatedAt. The keys of
// the rows that did change are returned for the audit record.
UNWIND $rows AS row
MERGE (n:Entity:{{Label}} {key: row.key})
ON CREATE SET n.createdAt = $now
WITH n, row, n._rev AS before
FOREACH (_ IN CASE WHEN before = row.rev THEN [] ELSE [1] END |
  SET n += row.props, n._rev = row.rev, n.updatedAt = $now)
RETURN count(n) AS written,
       sum(CASE WHEN before IS NULL THEN 1 ELSE 0 END) AS created,
       sum(CASE WHEN before = row.rev THEN 1 ELSE 0 END) AS unchanged,
       collect(CASE WHEN before = row.rev THEN null ELSE row.key END) AS changedKeys
