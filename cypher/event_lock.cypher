// The event read under its write lock (held to the end of the transaction): a rival
// claim or completion waits, then reads what this transaction wrote.
MATCH (e:`_GraphCrmEvent` {key: $key})
SET e.locked = true
REMOVE e.locked
RETURN e.record AS record
