// Move the fan-out cursor (its node locked and made by fan_out_lock).
MATCH (f:`_GraphCrmWebhookFanOut` {id: 'incidents'})
SET f.cursor = $cursor
