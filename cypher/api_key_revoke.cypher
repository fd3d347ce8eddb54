// A key keeps its first revocation time.
MATCH (k:`_GraphCrmApiKey` {id: $id})
SET k.revokedAt = coalesce(k.revokedAt, $at)
RETURN k {.*} AS key
