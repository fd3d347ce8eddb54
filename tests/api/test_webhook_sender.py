"""Webhooks delivered through real HTTP to a local receiver (uvicorn on a loopback
port), on both backends: signed notifications, retries with growing waits, timeouts
that end in a dead letter, replay, a slow receiver, redirects not followed, filtered-out
changes and revoked webhooks sent nothing, and the app's own worker."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from itertools import pairwise

import pytest

from graph_crm.api.webhook_sender import delivery_settings, http_sender, webhook_worker
from graph_crm.incidents.delivery import Delivery, DeliveryStatus, RetryPolicy
from graph_crm.incidents.incident import IncidentStatus, move_to, with_version
from graph_crm.incidents.version import VersionReason
from graph_crm.incidents.webhook import Webhook
from graph_crm.services.webhook_delivery import DeliverySettings, Sender, fan_out
from graph_crm.services.webhooks import create_webhook, replay_delivery, revoke_webhook
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.webhook_receiver import Receiver, eventually, receiving, work_until
from tests.incidents.made import T0, opened, report, version_after

POLICY = RetryPolicy(max_attempts=3, base_seconds=0.05, cap_seconds=1.0)
WORKER = DeliverySettings(owner="tests", policy=POLICY, lease_seconds=30.0, poll_seconds=0.02)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving() as serving:
        yield serving


async def _hook(store: GraphStore, receiver: Receiver, path: str, wanted: object = None) -> Webhook:
    made = await create_webhook(store, path.strip("/"), receiver.base + path, wanted, actor="admin")
    receiver.secrets[path] = made.secret
    return made


async def _settled(store: GraphStore, webhook: Webhook) -> list[Delivery]:
    return [
        found
        for found in await store.deliveries(webhook_id=webhook.id)
        if found.status in (DeliveryStatus.DELIVERED, DeliveryStatus.DEAD)
    ]


async def _run(store: GraphStore, send: Sender, webhook: Webhook, count: int = 1) -> list[Delivery]:
    async def done() -> bool:
        return len(await _settled(store, webhook)) >= count

    await work_until(store, WORKER, send, done)
    return await store.deliveries(webhook_id=webhook.id)


async def test_a_change_is_posted_signed_with_the_whole_picture_and_logged(
    store: GraphStore, receiver: Receiver
) -> None:
    hook = await _hook(store, receiver, "/ok")
    incident, first = opened()
    await store.open_incident(incident, first)
    second = version_after(
        first, [report({"Customer:A": "T2", "Customer:C": "T1"})],
        reason=VersionReason.DELAY_UPDATED, minutes=5,
    )  # fmt: skip
    await store.update_incident(with_version(incident, second, note=None), version=second,
                                reason="delay updated")  # fmt: skip
    async with http_sender(2.0) as send:
        log = await _run(store, send, hook, count=2)

    assert [(d.seq, d.status) for d in log] == [(1, "delivered"), (2, "delivered")]
    assert all(request.signed for request in receiver.on("/ok"))
    assert sorted(request.delivery for request in receiver.on("/ok")) == [d.id for d in log]
    posted = {json.loads(r.body)["seq"]: json.loads(r.body) for r in receiver.on("/ok")}
    latest = posted[2]
    assert latest["incident"]["id"] == incident.id
    assert latest["version"]["number"] == 2
    assert latest["version"]["reason"] == "delay updated"
    assert latest["totals"]["affected"] == 2
    assert [row["target"] for row in latest["topRows"]] == ["Customer:A", "Customer:C"]
    (diff,) = latest["diff"]
    assert [row["target"] for row in diff["entered"]] == ["Customer:C"]
    assert [row["target"] for row in diff["left"]] == ["Customer:B"]
    (attempt,) = log[1].attempts
    assert (attempt.status_code, attempt.error, attempt.excerpt) == (200, None, "ok")
    assert attempt.duration_ms >= 0
    assert log[1].delivered_at == attempt.at


async def test_a_failing_receiver_is_retried_with_growing_waits_until_it_answers(
    store: GraphStore, receiver: Receiver
) -> None:
    hook = await _hook(store, receiver, "/flaky")
    receiver.failures["/flaky"] = 2
    await store.open_incident(*opened())
    async with http_sender(2.0) as send:
        (delivery,) = await _run(store, send, hook)

    assert delivery.status is DeliveryStatus.DELIVERED
    assert [a.status_code for a in delivery.attempts] == [500, 500, 200]
    assert [a.error for a in delivery.attempts] == ["HTTP 500", "HTTP 500", None]
    assert delivery.attempts[0].excerpt.startswith("boom")
    assert len(delivery.attempts[0].excerpt) == 200
    gaps = [later.at - earlier.at for earlier, later in pairwise(delivery.attempts)]
    # each retry waited at least its backoff (base, then twice it, ±20%)
    assert gaps[0] >= timedelta(seconds=0.05 * 0.8)
    assert gaps[1] >= timedelta(seconds=0.1 * 0.8)
    assert len(receiver.on("/flaky")) == 3
    assert len({request.delivery for request in receiver.on("/flaky")}) == 1


async def test_a_hanging_receiver_times_out_into_a_dead_letter_that_a_replay_delivers(
    store: GraphStore, receiver: Receiver
) -> None:
    hook = await _hook(store, receiver, "/hang")
    await store.open_incident(*opened())
    async with http_sender(0.3) as send:
        (dead,) = await _run(store, send, hook)
        assert dead.status is DeliveryStatus.DEAD
        assert [a.error for a in dead.attempts] == ["timed out after 0.3 s"] * 3
        assert [a.status_code for a in dead.attempts] == [None] * 3
        assert await store.deliveries(status="dead") == [dead]

        receiver.recovered.set()
        replayed = await replay_delivery(store, dead.id, actor="admin")
        assert replayed.status is DeliveryStatus.PENDING

        async def delivered() -> bool:
            found = await store.delivery(dead.id)
            return found is not None and found.status is DeliveryStatus.DELIVERED

        await work_until(store, WORKER, send, delivered)
    final = await store.delivery(dead.id)
    assert final is not None
    assert [a.status_code for a in final.attempts] == [None, None, None, 200]
    assert final.replays == 1
    audit = await store.audit_log(kind="webhook")
    assert [r.action.value for r in audit.items] == ["webhook.create", "webhook.replay"]


async def test_a_slow_receiver_within_the_timeout_is_delivered_at_the_first_attempt(
    store: GraphStore, receiver: Receiver
) -> None:
    hook = await _hook(store, receiver, "/slow")
    receiver.slow_seconds = 0.2
    await store.open_incident(*opened())
    async with http_sender(3.0) as send:
        (delivery,) = await _run(store, send, hook)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert [a.status_code for a in delivery.attempts] == [200]
    assert delivery.attempts[0].duration_ms >= 200


async def test_a_redirect_is_not_followed(store: GraphStore, receiver: Receiver) -> None:
    hook = await _hook(store, receiver, "/redirect")
    await store.open_incident(*opened())
    async with http_sender(2.0) as send:
        (delivery,) = await _run(store, send, hook)
    assert delivery.status is DeliveryStatus.DEAD
    assert {a.error for a in delivery.attempts} == {"HTTP 307"}
    assert receiver.on("/ok") == []


async def test_filtered_out_changes_and_a_revoked_webhook_are_sent_nothing(
    store: GraphStore, receiver: Receiver
) -> None:
    ports = await _hook(store, receiver, "/ok", {"sourceTypes": ["Port"]})
    versions = await _hook(store, receiver, "/slow", {"versionsOnly": True})
    incident, first = opened()
    await store.open_incident(incident, first)
    async with http_sender(2.0) as send:
        await _run(store, send, versions)
        assert await store.deliveries(webhook_id=ports.id) == []

        # an acknowledgement stores no version: the versions-only webhook is not told
        acknowledged = move_to(incident, IncidentStatus.ACKNOWLEDGED, actor="ops", at=T0)
        await store.update_incident(acknowledged, reason="acknowledged")
        await fan_out(store)
        assert len(await store.deliveries(webhook_id=versions.id)) == 1

        # a revoked webhook: the delivery already stored is given up, unsent
        everything = await _hook(store, receiver, "/flaky")
        second = version_after(first, [report({"Customer:A": "T1"})], minutes=9)
        await store.update_incident(with_version(acknowledged, second, note=None),
                                    version=second, reason="delay updated")  # fmt: skip
        await fan_out(store)
        await revoke_webhook(store, everything.id, actor="admin")
        (given_up,) = await _run(store, send, everything)
    assert given_up.status is DeliveryStatus.DEAD
    assert [a.error for a in given_up.attempts] == ["the webhook was revoked: not sent"]
    assert receiver.on("/flaky") == []
    assert receiver.on("/ok") == []
    assert len(receiver.on("/slow")) == 2


async def test_the_apps_worker_fans_out_and_delivers(store: GraphStore, receiver: Receiver) -> None:
    hook = await _hook(store, receiver, "/ok")
    settings = Settings(webhook_poll_seconds=0.02, webhook_backoff_seconds=0.05)
    assert delivery_settings(settings).policy.base_seconds == 0.05
    async with webhook_worker(store, settings):
        await store.open_incident(*opened())

        async def delivered() -> bool:
            return len(await _settled(store, hook)) == 1

        await eventually(delivered)
    (delivery,) = await store.deliveries(webhook_id=hook.id)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert [request.signed for request in receiver.on("/ok")] == [True]
