// One incident per id: a second add of the same id fails instead of making a twin.
CREATE CONSTRAINT graph_crm_incident_id IF NOT EXISTS
FOR (i:`_GraphCrmIncident`) REQUIRE i.id IS UNIQUE
