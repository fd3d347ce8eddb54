// Records what a write changed, in the write's own transaction (graph_crm.model.audit).
UNWIND $records AS record
CREATE (a:`_GraphCrmAudit`)
SET a = record
