MATCH (e:`_GraphCrmEvent` {key: $key})
RETURN e.record AS record
