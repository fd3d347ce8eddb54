// Stores recomputed revisions after a back-fill.
UNWIND $rows AS row
MATCH (n:{{Label}} {key: row.key})
SET n._rev = row.rev
