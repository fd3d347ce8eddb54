// The last feed change the fan-out went past (0 before the first).
OPTIONAL MATCH (f:`_GraphCrmWebhookFanOut` {id: 'incidents'})
RETURN coalesce(f.cursor, 0) AS cursor
