// The first claimable event due at $now, locked, then checked again: a rival that
// claimed it first committed a later due, and this answers no row (look again).
MATCH (e:`_GraphCrmEvent`)
WHERE e.due <= $now AND e.status IN $statuses
WITH e ORDER BY e.due, e.key LIMIT 1
SET e.locked = true
REMOVE e.locked
WITH e WHERE e.due <= $now AND e.status IN $statuses
RETURN e.record AS record
