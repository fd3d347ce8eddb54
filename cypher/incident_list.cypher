// One page of incidents, newest first: the cursor's (openedAt, id) is where the previous
// page ended.
MATCH (i:`_GraphCrmIncident`)
WHERE ($statuses IS NULL OR i.status IN $statuses)
  AND ($source IS NULL OR i.source = $source)
  AND ($afterAt IS NULL OR i.openedAt < $afterAt OR (i.openedAt = $afterAt AND i.id < $afterId))
RETURN i.record AS record
ORDER BY i.openedAt DESC, i.id DESC
LIMIT $limit
