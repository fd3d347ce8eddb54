"""The GraphQL documents the webhook tests send."""

from __future__ import annotations

WEBHOOKS = (
    "{ webhooks { id name url createdBy revokedAt active filter { sourceTypes versionsOnly } } }"
)
CREATE_WEBHOOK = """
mutation Make($name: String!, $url: String!, $filter: WebhookFilterInput) {
  createWebhook(name: $name, url: $url, filter: $filter) {
    __typename
    ... on WebhookCreatePayload { secret webhook { id name url active filter { sourceTypes } } }
    ... on Error { code message path }
  }
}"""
REVOKE_WEBHOOK = """
mutation Revoke($id: ID!) {
  revokeWebhook(id: $id) {
    __typename
    ... on WebhookRevokePayload { alreadyRevoked webhook { id revokedAt active } }
    ... on Error { code message path }
  }
}"""
REPLAY_DELIVERY = """
mutation Replay($id: ID!) {
  replayDelivery(id: $id) {
    __typename
    ... on WebhookReplayPayload { delivery { id status replays nextAttemptAt } }
    ... on Error { code message path }
  }
}"""
DELIVERIES = """
query Log($webhookId: ID, $status: WebhookDeliveryStatus, $first: Int, $after: String) {
  webhookDeliveries(webhookId: $webhookId, status: $status, first: $first, after: $after) {
    items {
      id webhookId seq incidentId status replays nextAttemptAt deliveredAt
      attempts { number at durationMs statusCode error excerpt }
    }
    hasNextPage endCursor
  }
}"""
