// One webhook per id.
CREATE CONSTRAINT graph_crm_webhook_id IF NOT EXISTS
FOR (w:`_GraphCrmWebhook`) REQUIRE w.id IS UNIQUE
