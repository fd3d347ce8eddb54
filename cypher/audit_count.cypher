MATCH (a:`_GraphCrmAudit`)
WHERE a.at >= $since
  AND ($actor IS NULL OR a.actor = $actor)
  AND ($typeName IS NULL OR a.typeName = $typeName)
RETURN count(a) AS total
