// An integration keeps its first revocation time; wasActive says whether this call revoked it.
MATCH (i:`_GraphCrmIntegration` {id: $id})
WITH i, i.revokedAt IS NULL AS wasActive
SET i.revokedAt = coalesce(i.revokedAt, $at)
RETURN i {.*} AS integration, wasActive
