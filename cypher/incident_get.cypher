MATCH (i:`_GraphCrmIncident` {id: $id})
RETURN i.record AS record
