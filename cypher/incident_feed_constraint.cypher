// One feed counter: two first incident writes racing to MERGE it make one, not two.
CREATE CONSTRAINT graph_crm_incident_feed IF NOT EXISTS
FOR (f:`_GraphCrmIncidentFeed`) REQUIRE f.id IS UNIQUE
