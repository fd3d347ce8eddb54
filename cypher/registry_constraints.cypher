// One registry, one version per change or batch of changes, each change a step of its
// version: a racing definition fails, never forks.
CREATE CONSTRAINT graph_crm_registry_change_step IF NOT EXISTS
FOR (c:`_GraphCrmChange`) REQUIRE (c.version, c.step) IS UNIQUE
