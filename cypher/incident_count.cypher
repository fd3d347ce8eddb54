MATCH (i:`_GraphCrmIncident`)
WHERE ($statuses IS NULL OR i.status IN $statuses)
  AND ($source IS NULL OR i.source = $source)
RETURN count(i) AS total
