// Append the incident write's entry to the change feed, numbered by the feed's counter.
// The lock property is set first, so the counter is read under the node's write lock: a
// racing incident write waits until this one commits, then takes the next number (the
// feed is in commit order, with no gaps a reader could pass over).
MERGE (f:`_GraphCrmIncidentFeed` {id: 'incidents'})
SET f.locked = true
WITH f
SET f.seq = coalesce(f.seq, 0) + 1
REMOVE f.locked
CREATE (c:`_GraphCrmIncidentChange`)
SET c = $change, c.seq = f.seq
