// At most one incident per source that is not resolved (a resolved one has no activeSource).
CREATE CONSTRAINT graph_crm_incident_active_source IF NOT EXISTS
FOR (i:`_GraphCrmIncident`) REQUIRE i.activeSource IS UNIQUE
