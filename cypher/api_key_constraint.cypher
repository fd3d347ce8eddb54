// One key per id: a second add of the same id fails instead of making a twin.
CREATE CONSTRAINT graph_crm_api_key_id IF NOT EXISTS
FOR (k:`_GraphCrmApiKey`) REQUIRE k.id IS UNIQUE
