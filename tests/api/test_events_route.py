"""``POST /events`` through real HTTP on both backends: signatures good, bad and missing,
stale timestamps, replays, idempotency by event id, structured validation errors that
store nothing, hostile ids and names; then the stored event processed once.

The graph is tests/contract/logistics.py's (a delay at W1 reaches three customers).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx
import pytest

from graph_crm.api import create_app
from graph_crm.api.auth_throttle import AuthFailureThrottle
from graph_crm.auth.integrations import Integration, new_integration
from graph_crm.clock import utc_now
from graph_crm.incidents.events import EventStatus
from graph_crm.services.events import ProcessorSettings, process_next
from graph_crm.services.integrations import create_integration
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.signed_events import disruption, post_event, signed_headers
from tests.contract.logistics import customs_policy, load_logistics

WORKER = ProcessorSettings(owner="tests-worker")


@pytest.fixture
async def anonymous(store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    """A client sending no key, of an app that throttles failed signatures only after 100
    (the throttle itself: test_failed_signatures_are_throttled_per_address)."""
    app = create_app(
        Settings(backend="neo4j" if store.backend == "neo4j" else "embedded"),
        store=store,
        auth_failures=AuthFailureThrottle(burst=100),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def integration(store: GraphStore) -> Integration:
    return await create_integration(store, "broker", ["disruption"], actor="tests")


async def _loaded(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())


async def test_an_event_is_stored_before_202_then_processed_once(
    anonymous: httpx.AsyncClient, store: GraphStore, integration: Integration
) -> None:
    await _loaded(store)
    sent = await post_event(anonymous, integration.id, integration.secret, disruption())
    assert sent.status_code == 202, sent.text
    assert sent.json() == {"eventId": "evt-1", "status": "accepted"}
    stored = await store.stored_event(integration.id, "evt-1")
    assert stored is not None
    assert stored.status is EventStatus.ACCEPTED
    processed = await process_next(store, WORKER)
    assert processed is not None
    assert processed.status is EventStatus.PROCESSED
    assert await process_next(store, WORKER) is None
    incident = await store.active_incident("Warehouse:W1")
    assert incident is not None
    assert (processed.incident_id, processed.version) == (incident.id, 1)
    assert incident.opened_by == integration.actor
    again = await post_event(anonymous, integration.id, integration.secret, disruption())
    assert again.status_code == 200, again.text
    assert again.json() == {
        "eventId": "evt-1",
        "status": "processed",
        "duplicate": True,
        "incidentId": incident.id,
        "version": 1,
    }
    assert await process_next(store, WORKER) is None
    assert [v.number for v in await store.incident_versions(incident.id)] == [1]


async def test_a_replayed_request_is_answered_with_the_first_events_status(
    anonymous: httpx.AsyncClient, store: GraphStore, integration: Integration
) -> None:
    body = json.dumps(disruption()).encode()
    headers = signed_headers(integration.id, integration.secret, body)
    first = await anonymous.post("/events", content=body, headers=headers)
    replayed = await anonymous.post("/events", content=body, headers=headers)
    assert (first.status_code, replayed.status_code) == (202, 200)
    assert replayed.json()["duplicate"] is True
    claimed = await store.claim_event("w", now=_now(), lease_seconds=30)
    assert claimed is not None
    assert claimed.event_id == "evt-1"
    assert await store.claim_event("w", now=_now(), lease_seconds=30) is None


def _now() -> datetime:
    return utc_now()


async def test_the_same_id_with_other_content_is_refused(
    anonymous: httpx.AsyncClient, store: GraphStore, integration: Integration
) -> None:
    assert (
        await post_event(anonymous, integration.id, integration.secret, disruption())
    ).is_success
    other = await post_event(anonymous, integration.id, integration.secret, disruption(delayDays=9))
    assert other.status_code == 409
    assert (other.json()["error"]["code"], other.json()["error"]["path"]) == (
        "EVENT_ID_REUSED",
        ["id"],
    )
    stored = await store.stored_event(integration.id, "evt-1")
    assert stored is not None
    assert stored.payload["delayDays"] == 3


async def _refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


async def test_bad_missing_and_stale_signatures_are_refused_and_store_nothing(
    anonymous: httpx.AsyncClient, store: GraphStore, integration: Integration
) -> None:
    event, secret, own = disruption(), integration.secret, integration.id
    await _refused(
        await post_event(anonymous, own, "not-the-secret", event), 401, "UNAUTHENTICATED"
    )
    for header in ("X-GraphCRM-Integration", "X-GraphCRM-Timestamp", "X-GraphCRM-Signature"):
        await _refused(
            await post_event(anonymous, own, secret, event, headers={header: ""}),
            401,
            "UNAUTHENTICATED",
        )
    for signature in ("sha256=", "sha1=00", "sha256=" + "0" * 64, "x" * 5000):
        response = await post_event(
            anonymous, own, secret, event, headers={"X-GraphCRM-Signature": signature}
        )
        await _refused(response, 401, "UNAUTHENTICATED")
    for timestamp in ("-5", "1e9", "12345678901234", "+1764547200", "1764547200.5"):
        response = await post_event(
            anonymous, own, secret, event, headers={"X-GraphCRM-Timestamp": timestamp}
        )
        await _refused(response, 401, "UNAUTHENTICATED")
    for moved in (-301, 301, -86400):
        response = await post_event(anonymous, own, secret, event, at=time.time() + moved)
        await _refused(response, 401, "STALE_TIMESTAMP")
    # a body changed after signing
    body = json.dumps(event).encode()
    headers = signed_headers(own, secret, body)
    tampered = body.replace(b'"delayDays": 3', b'"delayDays": 30')
    await _refused(
        await anonymous.post("/events", content=tampered, headers=headers), 401, "UNAUTHENTICATED"
    )
    await _refused(
        await post_event(anonymous, "0123456789abcdef", secret, event), 401, "UNAUTHENTICATED"
    )
    for hostile in ("x'y", "} DETACH DELETE n //", "../" * 10):
        await _refused(await post_event(anonymous, hostile, secret, event), 401, "UNAUTHENTICATED")
    assert await store.stored_event(own, "evt-1") is None


async def test_a_revoked_integration_is_refused(
    anonymous: httpx.AsyncClient, store: GraphStore, integration: Integration
) -> None:
    await store.revoke_integration(integration.id, at=_now(), actor="tests")
    response = await post_event(anonymous, integration.id, integration.secret, disruption())
    await _refused(response, 401, "UNAUTHENTICATED")
    assert await store.stored_event(integration.id, "evt-1") is None


async def test_failed_signatures_are_throttled_per_address(
    store: GraphStore, integration: Integration
) -> None:
    async with asgi_client(store, None) as client:
        codes = [
            (await post_event(client, integration.id, "wrong", disruption())).status_code
            for _ in range(12)
        ]
        good = await post_event(client, integration.id, integration.secret, disruption())
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429
    assert good.status_code == 429  # refused before the signature is even checked


INVALID = [
    (disruption(id="bad id"), ["id"]),
    (disruption(id="'; DROP TABLE events; --"), ["id"]),
    (disruption(id="} DETACH DELETE n //"), ["id"]),
    (disruption(id="x" * 129), ["id"]),
    (disruption(id=7), ["id"]),
    (disruption(type="explosion"), ["type"]),
    (disruption(source={"type": "Warehouse"}), ["source"]),
    (disruption(source={"type": "Ware`house", "key": "W1"}), ["source", "type"]),
    (disruption(source={"type": "x) DETACH DELETE n //", "key": "W1"}), ["source", "type"]),
    (disruption(source={"type": "Warehouse", "key": 5}), ["source", "key"]),
    (disruption(delayDays=-1), ["delayDays"]),
    (disruption(delayDays=366), ["delayDays"]),
    (disruption(delayDays="3"), ["delayDays"]),
    (disruption(delayDays=None), ["delayDays"]),
    (disruption(startsAt="yesterday"), ["startsAt"]),
    (disruption(startsAt="2026-12-01T10:00:00"), ["startsAt"]),
    (disruption(note="x" * 4001), ["note"]),
    (disruption(note="bell\x07"), ["note"]),
    (disruption(extra=1), ["extra"]),
    ([disruption()], []),
]


@pytest.mark.parametrize(("event", "path"), INVALID)
async def test_invalid_events_are_refused_at_their_path_and_store_nothing(
    anonymous: httpx.AsyncClient,
    store: GraphStore,
    integration: Integration,
    event: Any,
    path: list[Any],
) -> None:
    response = await post_event(anonymous, integration.id, integration.secret, event)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["path"]) == ("INVALID_INPUT", path)
    assert error["message"]
    assert all(issue["path"] is not None for issue in error["issues"])
    assert await store.stored_event(integration.id, "evt-1") is None
    assert await store.claim_event("w", now=_now(), lease_seconds=1) is None


async def test_malformed_bodies_are_4xx(
    anonymous: httpx.AsyncClient, store: GraphStore, integration: Integration
) -> None:
    own, secret = integration.id, integration.secret
    await _refused(await post_event(anonymous, own, secret, b"{not json"), 400, "BAD_REQUEST")
    await _refused(await post_event(anonymous, own, secret, b"\xff\xfe"), 400, "BAD_REQUEST")
    await _refused(await post_event(anonymous, own, secret, b"[" * 50_000), 400, "BAD_REQUEST")
    big = json.dumps(disruption(note="x" * 70_000)).encode()
    await _refused(await post_event(anonymous, own, secret, big), 413, "PAYLOAD_TOO_LARGE")
    text = await post_event(
        anonymous, own, secret, disruption(), headers={"Content-Type": "text/plain"}
    )
    await _refused(text, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert (await anonymous.get("/events")).status_code == 405
    assert await store.claim_event("w", now=_now(), lease_seconds=1) is None


async def test_an_event_whose_source_is_absent_fails_once_and_changes_nothing(
    anonymous: httpx.AsyncClient, store: GraphStore, integration: Integration
) -> None:
    await _loaded(store)
    hostile = disruption(source={"type": "Warehouse", "key": "W1' OR 1=1 //"})
    assert (
        await post_event(anonymous, integration.id, integration.secret, hostile)
    ).status_code == 202
    failed = await process_next(store, WORKER)
    assert failed is not None
    assert failed.status is EventStatus.FAILED
    assert failed.error is not None
    assert failed.error["code"] == "NOT_FOUND"
    assert (await store.incidents()).total_count == 0
    again = await post_event(anonymous, integration.id, integration.secret, hostile)
    assert (again.status_code, again.json()["status"]) == (200, "failed")
    assert again.json()["error"]["code"] == "NOT_FOUND"


async def test_an_event_type_the_integration_may_not_post_is_forbidden(
    anonymous: httpx.AsyncClient, store: GraphStore
) -> None:
    made = new_integration("other feed", ["disruption"], created_by="tests")
    other = replace(made, event_types=("shipment",))  # a type this server may grow later
    await store.add_integration(other)
    response = await post_event(anonymous, other.id, other.secret, disruption())
    assert response.status_code == 403, response.text
    assert (response.json()["error"]["code"], response.json()["error"]["path"]) == (
        "FORBIDDEN",
        ["type"],
    )
    assert await store.stored_event(other.id, "evt-1") is None
