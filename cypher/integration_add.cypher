// A taken id fails on graph_crm_integration_id (the store reports it as a conflict).
CREATE (i:`_GraphCrmIntegration`)
SET i = $integration
