// One event per (integration, event id): the key is "<integration>/<event id>".
CREATE CONSTRAINT graph_crm_event_key IF NOT EXISTS
FOR (e:`_GraphCrmEvent`) REQUIRE e.key IS UNIQUE
