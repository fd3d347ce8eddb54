// The webhook read under its write lock (held to the end of the transaction): a rival
// change waits, then reads what this transaction wrote.
MATCH (w:`_GraphCrmWebhook` {id: $id})
SET w.locked = true
REMOVE w.locked
RETURN w.record AS record
