// The audit log is read in (at, id) order, from a point in time.
CREATE INDEX graph_crm_audit_at IF NOT EXISTS
FOR (a:`_GraphCrmAudit`) ON (a.at)
