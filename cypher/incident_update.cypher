// Write the incident only if it is still at $expected. The lock property is set first so
// the revision is read under the node's write lock (a racing update waits, then sees the
// revision its rival committed). Returns the revision found; no row: no such incident.
MATCH (i:`_GraphCrmIncident` {id: $id})
SET i.locked = true
WITH i, i.revision AS stored
FOREACH (_ IN CASE WHEN stored = $expected THEN [1] ELSE [] END | SET i = $incident)
REMOVE i.locked
RETURN stored
