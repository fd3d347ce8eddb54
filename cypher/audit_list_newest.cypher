// One page of the audit log, newest first (audit_list.cypher, reversed): the cursor's
// (at, id) is where the previous page ended, and this one goes on to older records.
MATCH (a:`_GraphCrmAudit`)
WHERE a.at >= $since
  AND ($until IS NULL OR a.at < $until)
  AND ($actor IS NULL OR a.actor = $actor)
  AND ($typeName IS NULL OR a.typeName = $typeName)
  AND ($kind IS NULL OR a.kind = $kind)
  AND ($action IS NULL OR a.action = $action)
  AND ($afterAt IS NULL OR a.at < $afterAt OR (a.at = $afterAt AND a.id < $afterId))
RETURN a {.*} AS record
ORDER BY a.at DESC, a.id DESC
LIMIT $limit
