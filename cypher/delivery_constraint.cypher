// One delivery per (webhook, feed change): its id is made of both.
CREATE CONSTRAINT graph_crm_delivery_id IF NOT EXISTS
FOR (d:`_GraphCrmDelivery`) REQUIRE d.id IS UNIQUE
