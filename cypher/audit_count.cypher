MATCH (a:`_GraphCrmAudit`)
WHERE a.at >= $since
  AND ($until IS NULL OR a.at < $until)
  AND ($actor IS NULL OR a.actor = $actor)
  AND ($typeName IS NULL OR a.typeName = $typeName)
  AND ($kind IS NULL OR a.kind = $kind)
  AND ($action IS NULL OR a.action = $action)
RETURN count(a) AS total
