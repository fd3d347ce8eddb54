// Takes the registry's write lock for the rest of the transaction.
MATCH (r:`_GraphCrmRegistry` {name: 'main'})
SET r.version = r.version
RETURN r.version AS version
