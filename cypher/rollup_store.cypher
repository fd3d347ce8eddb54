// Stores a rollup's value on each owner of $rows (a null removes it). The owner's
// revision and updatedAt stay: they follow what clients write.
UNWIND $rows AS row
MATCH (o:{{Owner}} {key: row.key})
SET o.{{prop}} = {{value}}
