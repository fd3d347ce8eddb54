MATCH (i:`_GraphCrmIncident` {activeSource: $source})
RETURN i.record AS record
