// Whether any delivery is claimable at $now: a read, so idle workers take no write lock.
MATCH (d:`_GraphCrmDelivery`)
WHERE d.due <= $now AND d.status IN $statuses
RETURN d.id AS id
LIMIT 1
