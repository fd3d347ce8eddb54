// Stores the values of the owners' formulas that read a rollup (a null removes one). The
// owner's revision and updatedAt stay: they follow what clients write.
UNWIND $rows AS row
MATCH (o:{{Owner}} {key: row.key})
SET o += row.props
