// The fan-out cursor read under its write lock (held to the end of the transaction): a
// rival fan-out waits, then reads the cursor this one moved.
MERGE (f:`_GraphCrmWebhookFanOut` {id: 'incidents'})
SET f.locked = true
REMOVE f.locked
RETURN coalesce(f.cursor, 0) AS cursor
