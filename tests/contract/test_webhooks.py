"""Outbound webhooks in the store, alike on every backend: made and revoked with their
audit, the feed fanned out into one delivery per (webhook, change) with the cursor moved
in the same transaction (run twice: stored once), deliveries claimed under a lease only
one worker holds, attempts recorded, dead letters replayed and audited."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from graph_crm.errors import Conflict, InvalidInput, NotFound
from graph_crm.incidents.delivery import Attempt, DeliveryStatus, RetryPolicy, new_delivery
from graph_crm.incidents.incident import IncidentStatus, move_to
from graph_crm.incidents.webhook import new_webhook
from graph_crm.services.webhook_delivery import fan_out
from graph_crm.services.webhooks import create_webhook, replay_delivery, revoke_webhook
from graph_crm.store.base import GraphStore
from tests.incidents.made import T0, opened

HOSTILE = ["x'y", "'; DROP TABLE webhooks; --", "} DETACH DELETE n //", "0123456789abcdeg"]
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _failed(number: int) -> Attempt:
    return Attempt(number, NOW, 12, 500, "HTTP 500", "boom")


async def test_webhooks_are_stored_listed_and_revoked_with_their_audit(store: GraphStore) -> None:
    made = new_webhook(
        "risk desk",
        "https://hooks.example.com/crm",
        {"sourceTypes": ["Warehouse"]},
        webhook_id="00000000000000a1",
        secret="s3cret",
        created_by="admin",
        now=NOW,
        start_seq=0,
    )
    await store.add_webhook(made)
    assert await store.webhook(made.id) == made
    assert await store.webhooks() == [made]
    with pytest.raises(Conflict):
        await store.add_webhook(made)
    revoked = await store.revoke_webhook(made.id, at=NOW + timedelta(hours=1), actor="ana")
    again = await store.revoke_webhook(made.id, at=NOW + timedelta(hours=2), actor="ana")
    assert again.revoked_at == revoked.revoked_at == NOW + timedelta(hours=1)
    log = await store.audit_log(kind="webhook")
    assert [(r.action.value, r.actor) for r in log.items] == [
        ("webhook.create", "admin"),
        ("webhook.revoke", "ana"),
    ]
    assert "s3cret" not in str([r.to_record() for r in log.items])
    with pytest.raises(NotFound):
        await store.revoke_webhook("00000000000000b2", at=NOW, actor="ana")


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_ids_are_refused_at_the_argument(store: GraphStore, hostile: str) -> None:
    for call in (
        store.webhook(hostile),
        store.delivery(hostile),
        store.revoke_webhook(hostile, at=NOW, actor="ana"),
        store.replay_delivery(hostile, at=NOW, actor="ana"),
    ):
        with pytest.raises(InvalidInput) as refused:
            await call
        assert refused.value.path == ("id",)
    for name, arguments in (
        ("webhookId", {"webhook_id": hostile}),
        ("status", {"status": hostile}),
        ("after", {"after": hostile}),
    ):
        with pytest.raises(InvalidInput) as refused:
            await store.deliveries(**arguments)  # type: ignore[arg-type]
        assert refused.value.path == (name,)
    assert await store.webhooks() == []


async def test_the_fan_out_stores_one_delivery_per_wanted_change_however_often_it_runs(
    store: GraphStore,
) -> None:
    everything = await create_webhook(store, "all", "http://127.0.0.1:9/a", None, actor="admin")
    versions = await create_webhook(
        store, "versions", "http://127.0.0.1:9/v", {"versionsOnly": True}, actor="admin"
    )
    elsewhere = await create_webhook(
        store, "other", "http://127.0.0.1:9/o", {"sourceTypes": ["Port"]}, actor="admin"
    )
    incident, first = opened()
    await store.open_incident(incident, first)
    acknowledged = move_to(incident, IncidentStatus.ACKNOWLEDGED, actor="ops", at=T0)
    await store.update_incident(acknowledged, reason="acknowledged")

    assert await fan_out(store) == 3  # all: 2 changes; versions: the opening; other: none
    assert await fan_out(store) == 0
    assert await store.fan_out_cursor() == 2
    log = await store.deliveries(first=10)
    assert sorted((d.webhook_id, d.seq) for d in log) == sorted(
        [(everything.id, 1), (everything.id, 2), (versions.id, 1)]
    )
    assert await store.deliveries(webhook_id=elsewhere.id) == []
    assert {d.status for d in log} == {DeliveryStatus.PENDING}

    # a worker that read the cursor at 0 and stores late: refused, nothing doubled
    late = [new_delivery(everything.id, 1, incident.id, now=NOW)]
    assert not await store.fan_out(expected=0, cursor=2, deliveries=late)
    # the same (webhook, change) stored again: the first one is kept
    assert await store.fan_out(expected=2, cursor=2, deliveries=late)
    assert len(await store.deliveries(first=10)) == 3
    kept = await store.delivery(late[0].id)
    assert kept is not None
    assert kept.created_at != NOW


async def test_a_webhook_hears_only_of_changes_after_it_was_made(store: GraphStore) -> None:
    incident, first = opened()
    await store.open_incident(incident, first)
    await fan_out(store)
    later = await create_webhook(store, "later", "http://127.0.0.1:9/l", None, actor="admin")
    assert later.start_seq == 1
    await store.update_incident(
        move_to(incident, IncidentStatus.ACKNOWLEDGED, actor="ops", at=T0), reason="acknowledged"
    )
    assert await fan_out(store) == 1
    assert [d.seq for d in await store.deliveries(webhook_id=later.id)] == [2]


async def test_racing_fan_outs_store_each_delivery_once(store: GraphStore) -> None:
    await create_webhook(store, "all", "http://127.0.0.1:9/a", None, actor="admin")
    incident, first = opened()
    await store.open_incident(incident, first)
    await asyncio.gather(*(fan_out(store) for _ in range(4)))
    await fan_out(store)
    assert [d.seq for d in await store.deliveries()] == [1]


async def test_a_delivery_is_leased_to_one_worker_retried_then_dead_then_replayed(
    store: GraphStore,
) -> None:
    hook = await create_webhook(store, "all", "http://127.0.0.1:9/a", None, actor="admin")
    incident, first = opened()
    await store.open_incident(incident, first)
    await fan_out(store)
    (pending,) = await store.deliveries()
    policy = RetryPolicy(max_attempts=2, base_seconds=10.0, cap_seconds=60.0)
    later = datetime.fromtimestamp(pending.due, UTC) + timedelta(seconds=1)

    claims = await asyncio.gather(
        *(store.claim_delivery(f"w{n}", now=later, lease_seconds=30) for n in range(3))
    )
    held = [claim for claim in claims if claim is not None]
    assert len(held) == 1
    assert held[0].status is DeliveryStatus.DELIVERING
    owner = held[0].lease_owner
    assert owner is not None
    assert (
        await store.record_attempt(pending.id, "intruder", _failed(1), policy, jitter=0.5) is None
    )

    retried = await store.record_attempt(pending.id, owner, _failed(1), policy, jitter=0.5)
    assert retried is not None
    assert retried.status is DeliveryStatus.PENDING
    assert retried.due == NOW.timestamp() + 10.0
    with pytest.raises(InvalidInput):  # only a dead letter is replayed
        await store.replay_delivery(pending.id, at=NOW, actor="ana")
    assert await store.claim_delivery("w1", now=NOW, lease_seconds=30) is None  # not due yet
    again = await store.claim_delivery("w1", now=NOW + timedelta(seconds=11), lease_seconds=30)
    assert again is not None
    dead = await store.record_attempt(pending.id, "w1", _failed(2), policy, jitter=0.5)
    assert dead is not None
    assert dead.status is DeliveryStatus.DEAD
    assert await store.deliveries(status="dead", webhook_id=hook.id) == [dead]

    replayed = await replay_delivery(store, pending.id, actor="ana")
    assert (replayed.status, replayed.replays, len(replayed.attempts)) == (
        DeliveryStatus.PENDING,
        1,
        2,
    )
    log = await store.audit_log(kind="webhook")
    assert [r.action.value for r in log.items][-1] == "webhook.replay"
    assert log.items[-1].ids == (hook.id, pending.id)


async def test_the_delivery_log_pages_by_id(store: GraphStore) -> None:
    hook = await create_webhook(store, "all", "http://127.0.0.1:9/a", None, actor="admin")
    rows = [new_delivery(hook.id, seq, "inc-00000000000000a1", now=NOW) for seq in range(1, 6)]
    assert await store.fan_out(expected=0, cursor=5, deliveries=rows)
    page = await store.deliveries(first=2)
    assert [d.seq for d in page] == [1, 2]
    assert [d.seq for d in await store.deliveries(first=10, after=page[-1].id)] == [3, 4, 5]
    await revoke_webhook(store, hook.id, actor="ana")
    with pytest.raises(InvalidInput):
        await store.deliveries(first=0)
