MATCH (i:`_GraphCrmIntegration`)
RETURN i {.*} AS integration
