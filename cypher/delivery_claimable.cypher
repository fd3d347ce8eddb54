// The first claimable delivery due at $now, locked, then checked again: a rival that
// claimed it first committed a later due, and this answers no row (look again).
MATCH (d:`_GraphCrmDelivery`)
WHERE d.due <= $now AND d.status IN $statuses
WITH d ORDER BY d.due, d.id LIMIT 1
SET d.locked = true
REMOVE d.locked
WITH d WHERE d.due <= $now AND d.status IN $statuses
RETURN d.record AS record
