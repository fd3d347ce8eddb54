MATCH (v:`_GraphCrmIncidentVersion` {incidentId: $id})
WHERE v.number > $since
RETURN v.record AS record
ORDER BY v.number
