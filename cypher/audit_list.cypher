// One page of the audit log, oldest first; $since is '' for the beginning, $until null for
// no end, and the cursor's (at, id) is null for the first page.
MATCH (a:`_GraphCrmAudit`)
WHERE a.at >= $since
  AND ($until IS NULL OR a.at < $until)
  AND ($actor IS NULL OR a.actor = $actor)
  AND ($typeName IS NULL OR a.typeName = $typeName)
  AND ($kind IS NULL OR a.kind = $kind)
  AND ($action IS NULL OR a.action = $action)
  AND ($afterAt IS NULL OR a.at > $afterAt OR (a.at = $afterAt AND a.id > $afterId))
RETURN a {.*} AS record
ORDER BY a.at, a.id
LIMIT $limit
