// One webhook's record (JSON text).
MATCH (w:`_GraphCrmWebhook` {id: $id})
RETURN w.record AS record
