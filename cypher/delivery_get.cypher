// One delivery's record (JSON text).
MATCH (d:`_GraphCrmDelivery` {id: $id})
RETURN d.record AS record
