// Stores computed values worked out again, and revisions, after a definition change
// (a null value removes the property).
UNWIND $rows AS row
MATCH (n:{{Label}} {key: row.key})
SET n += row.props, n._rev = row.rev, n.updatedAt = $now
