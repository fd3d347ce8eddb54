MATCH (e:`_GraphCrmEvent` {key: $event.key})
SET e += $event
