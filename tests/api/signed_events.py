"""Signed ``POST /events`` requests, as an integration sends them (docs/incidents.md)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from graph_crm.auth.integrations import signature

INTEGRATIONS = "{ integrations { id name eventTypes createdBy revokedAt active } }"
CREATE_INTEGRATION = """
mutation Make($name: String!, $eventTypes: [IntegrationEventType!]!) {
  createIntegration(name: $name, eventTypes: $eventTypes) {
    __typename
    ... on IntegrationCreatePayload { secret integration { id name eventTypes active } }
    ... on Error { code message path }
  }
}"""
REVOKE_INTEGRATION = """
mutation Revoke($id: ID!) {
  revokeIntegration(id: $id) {
    __typename
    ... on IntegrationRevokePayload { alreadyRevoked integration { id revokedAt active } }
    ... on Error { code message path }
  }
}"""


def disruption(event_id: str = "evt-1", **changes: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "disruption",
        "source": {"type": "Warehouse", "key": "W1"},
        "delayDays": 3,
        "note": "customs hold",
        **changes,
    }


def signed_headers(
    integration_id: str, secret: str, body: bytes, *, at: float | None = None
) -> dict[str, str]:
    timestamp = str(int(time.time() if at is None else at))
    return {
        "Content-Type": "application/json",
        "X-GraphCRM-Integration": integration_id,
        "X-GraphCRM-Timestamp": timestamp,
        "X-GraphCRM-Signature": signature(secret, timestamp, body),
    }


async def post_event(
    client: httpx.AsyncClient,
    integration_id: str,
    secret: str,
    event: Any,
    *,
    at: float | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST ``event`` (a dict, or the raw body's bytes) signed with ``secret``;
    ``headers`` replace the signed request's."""
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    sent = {**signed_headers(integration_id, secret, body, at=at), **(headers or {})}
    return await client.post("/events", content=body, headers=sent)
