// The number of the incident feed's last entry (no row: the feed is empty).
MATCH (f:`_GraphCrmIncidentFeed` {id: 'incidents'})
RETURN f.seq AS seq
