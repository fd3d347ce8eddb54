MATCH (k:`_GraphCrmApiKey` {id: $id})
RETURN k {.*} AS key
