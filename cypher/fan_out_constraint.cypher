// One fan-out cursor: two first fan-outs racing to MERGE it make one, not two.
CREATE CONSTRAINT graph_crm_webhook_fan_out IF NOT EXISTS
FOR (f:`_GraphCrmWebhookFanOut`) REQUIRE f.id IS UNIQUE
