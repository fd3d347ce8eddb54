// One integration per id: a second add of the same id fails instead of making a twin.
CREATE CONSTRAINT graph_crm_integration_id IF NOT EXISTS
FOR (i:`_GraphCrmIntegration`) REQUIRE i.id IS UNIQUE
