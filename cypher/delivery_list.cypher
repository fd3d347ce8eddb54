// The delivery log: by id, after $after (null: from the first), of $webhookId and
// $status (null: any), at most $limit.
MATCH (d:`_GraphCrmDelivery`)
WHERE ($webhookId IS NULL OR d.webhookId = $webhookId)
  AND ($status IS NULL OR d.status = $status)
  AND ($after IS NULL OR d.id > $after)
RETURN d.record AS record
ORDER BY d.id
LIMIT $limit
