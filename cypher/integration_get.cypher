MATCH (i:`_GraphCrmIntegration` {id: $id})
RETURN i {.*} AS integration
