MATCH (r:`_GraphCrmRegistry` {name: 'main'})
RETURN r.version AS version
