// A webhook's record written over the stored one.
MATCH (w:`_GraphCrmWebhook` {id: $id})
SET w.record = $record
