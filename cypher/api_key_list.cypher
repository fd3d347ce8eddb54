MATCH (k:`_GraphCrmApiKey`)
RETURN k {.*} AS key
