// The incident feed is read by its number, from a reader's last one on.
CREATE INDEX graph_crm_incident_change IF NOT EXISTS
FOR (c:`_GraphCrmIncidentChange`) ON (c.seq)
