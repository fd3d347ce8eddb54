// An incident's versions are read by its id, in number order.
CREATE INDEX graph_crm_incident_version IF NOT EXISTS
FOR (v:`_GraphCrmIncidentVersion`) ON (v.incidentId, v.number)
