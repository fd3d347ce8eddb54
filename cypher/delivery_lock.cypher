// The delivery read under its write lock (held to the end of the transaction): a rival
// claim or attempt waits, then reads what this transaction wrote.
MATCH (d:`_GraphCrmDelivery` {id: $id})
SET d.locked = true
REMOVE d.locked
RETURN d.record AS record
