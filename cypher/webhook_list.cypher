// Every webhook's record (JSON text); the caller orders them.
MATCH (w:`_GraphCrmWebhook`)
RETURN w.record AS record
