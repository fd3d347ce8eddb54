// Workers look for the next claimable event by when it is due.
CREATE INDEX graph_crm_event_due IF NOT EXISTS
FOR (e:`_GraphCrmEvent`) ON (e.due)
