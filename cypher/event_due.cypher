// Whether any event is claimable at $now: a read, so idle workers take no write lock.
MATCH (e:`_GraphCrmEvent`)
WHERE e.due <= $now AND e.status IN $statuses
RETURN e.key AS key
LIMIT 1
