// One registry, one change per version: a racing definition fails, never forks.
CREATE CONSTRAINT graph_crm_registry_change_version IF NOT EXISTS
FOR (c:`_GraphCrmChange`) REQUIRE c.version IS UNIQUE
