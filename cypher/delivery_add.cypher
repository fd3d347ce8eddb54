// Insert the deliveries not stored yet (a fan-out run again keeps the first ones).
UNWIND $rows AS row
MERGE (d:`_GraphCrmDelivery` {id: row.id})
ON CREATE SET d += row
