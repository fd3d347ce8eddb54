// A taken id or active source fails on its constraint (the store reports a conflict).
CREATE (i:`_GraphCrmIncident`)
SET i = $incident
