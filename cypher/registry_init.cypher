// Creates the registry singleton if this database has none yet.
MERGE (r:`_GraphCrmRegistry` {name: 'main'})
ON CREATE SET r.version = 0
RETURN r.version AS version
