// Creates or replaces entities by key. The store sends only the rows whose revision
// differs from the stored one (entity_revisions, read first in the same transaction),
// each with its complete property map (absent properties as null, which removes them).
// Nothing is returned and nothing read back after the write, so the plan buffers no
// rows (no Eager beyond the one MERGE + SET += needs).
UNWIND $rows AS row
MERGE (n:Entity:{{Label}} {key: row.key})
ON CREATE SET n.createdAt = $now
SET n += row.props, n._rev = row.rev, n.updatedAt = $now
