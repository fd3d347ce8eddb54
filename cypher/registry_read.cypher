MATCH (r:`_GraphCrmRegistry` {name: 'main'})
OPTIONAL MATCH (d:`_GraphCrmTypeDef`)
RETURN r.version AS version, collect({kind: d.kind, definition: d.definition}) AS definitions
