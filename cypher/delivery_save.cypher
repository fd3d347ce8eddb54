// A delivery's status, due time and record written over the stored ones.
MATCH (d:`_GraphCrmDelivery` {id: $delivery.id})
SET d += $delivery
