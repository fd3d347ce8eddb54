// read_operation behind a guard (graph_crm/store/reads/guard.py): the whole query's row
// only if, in this same statement, the caller's key is stored with the secret hash and
// role it was verified with and is not revoked, and the registry is at the version the
// query was planned with; no row otherwise, and then nothing below is read.
MATCH (g:`_GraphCrmRegistry` {name: 'main'})
WHERE g.version = $guardVersion
  AND EXISTS {
    MATCH (k:`_GraphCrmApiKey` {id: $guardKey})
    WHERE k.revokedAt IS NULL AND k.secretHash = $guardHash AND k.role = $guardRole
  }
{{calls}}RETURN {{roots}}
