// A request's fixed cost in one round trip: the key it names (null: no such key) and the
// registry's version (a type another process defined is served from the next request).
MATCH (r:`_GraphCrmRegistry` {name: 'main'})
OPTIONAL MATCH (k:`_GraphCrmApiKey` {id: $id})
RETURN k {.*} AS key, r.version AS version
