// The incident feed's entries after $after, in order, at most $limit.
MATCH (c:`_GraphCrmIncidentChange`)
WHERE c.seq > $after
RETURN c.seq AS seq, c.incidentId AS incidentId, c.revision AS revision,
       c.version AS version, c.reason AS reason, c.at AS at
ORDER BY c.seq
LIMIT $limit
