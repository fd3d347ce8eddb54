CREATE (v:`_GraphCrmIncidentVersion`)
SET v = $version
