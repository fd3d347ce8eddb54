// Insert-if-new under the key's constraint lock: a racing twin waits, then finds this one.
MERGE (e:`_GraphCrmEvent` {key: $event.key})
ON CREATE SET e += $event, e.fresh = true
WITH e, coalesce(e.fresh, false) AS created
REMOVE e.fresh
RETURN e.record AS record, created
