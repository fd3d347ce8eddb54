// One page of the audit log, oldest first; $since is '' for the beginning, and the
// cursor's (at, id) is null for the first page.
MATCH (a:`_GraphCrmAudit`)
WHERE a.at >= $since
  AND ($actor IS NULL OR a.actor = $actor)
  AND ($typeName IS NULL OR a.typeName = $typeName)
  AND ($afterAt IS NULL OR a.at > $afterAt OR (a.at = $afterAt AND a.id > $afterId))
RETURN a {.*} AS record
ORDER BY a.at, a.id
LIMIT $limit
