// Workers look for the next claimable delivery by when it is due.
CREATE INDEX graph_crm_delivery_due IF NOT EXISTS
FOR (d:`_GraphCrmDelivery`) ON (d.due)
