// Insert-if-new under the id's constraint lock; created says whether this one made it.
MERGE (w:`_GraphCrmWebhook` {id: $id})
ON CREATE SET w.record = $record, w.fresh = true
WITH w, coalesce(w.fresh, false) AS created
REMOVE w.fresh
RETURN created
