// A taken id fails on graph_crm_api_key_id (the store reports it as a conflict).
CREATE (k:`_GraphCrmApiKey`)
SET k = $key
