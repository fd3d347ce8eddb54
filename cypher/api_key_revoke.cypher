// A key keeps its first revocation time; wasActive says whether this call revoked it.
MATCH (k:`_GraphCrmApiKey` {id: $id})
WITH k, k.revokedAt IS NULL AS wasActive
SET k.revokedAt = coalesce(k.revokedAt, $at)
RETURN k {.*} AS key, wasActive
