// Which rows of an upsert need writing: each row is sent as its key and revision only.
// A row whose revision is already stored is left alone (nothing to write: the daily
// sync's unchanged row); the indexes of the others (new keys, other revisions) are
// returned, and entity_upsert writes them with their properties in the same
// transaction, counting from its own MERGE what it created, changed or found unchanged.
UNWIND range(0, size($keys) - 1) AS i
OPTIONAL MATCH (n:{{Label}} {key: $keys[i]})
WITH i, n
WHERE n IS NULL OR n._rev IS NULL OR n._rev <> $revs[i]
RETURN collect(i) AS stale
