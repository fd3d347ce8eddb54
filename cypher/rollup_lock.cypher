// Write-locks the owners whose rollup is about to be recomputed, in key order, before
// their far entities are read: a concurrent write that changes what one of them
// aggregates must lock it too, so the last to store a value has read every change
// committed before it (read committed alone would let a stale sum win).
UNWIND $keys AS key
MATCH (o:{{Owner}} {key: key})
SET o._rollupLock = true
REMOVE o._rollupLock
