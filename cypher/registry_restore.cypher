// Moves an empty registry to an imported version (import into an empty database).
MATCH (r:`_GraphCrmRegistry` {name: 'main'})
WHERE r.version = 0
SET r.version = $version
RETURN r.version AS version
