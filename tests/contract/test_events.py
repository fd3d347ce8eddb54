"""Integrations and their events in the store, alike on every backend: accepted once per
(integration, id), claimed under a lease that only one worker holds at a time, completed
in the transaction of the incident version it made, retried after a backoff, and a
worker that lost its lease stores nothing.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from graph_crm.auth.integrations import new_integration
from graph_crm.errors import Conflict, InvalidInput, NotFound
from graph_crm.incidents.events import (
    MAX_ATTEMPTS,
    EventStatus,
    LeaseLost,
    StoredEvent,
    accepted_event,
    parse_event,
)
from graph_crm.store.base import GraphStore
from graph_crm.store.events import EventLease
from tests.contract.logistics import customs_policy, load_logistics, open_w1_incident

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOSTILE = ["x'y", "'; DROP TABLE events; --", "} DETACH DELETE n //", "0123456789abcdeg"]


def _event(number: int, integration_id: str = "0123456789abcdef", at: datetime = T0) -> StoredEvent:
    body = {
        "id": f"evt-{number}",
        "type": "disruption",
        "source": {"type": "Warehouse", "key": "W1"},
        "delayDays": 3,
    }
    return accepted_event(integration_id, parse_event(body), at)


async def test_integrations_are_stored_listed_and_revoked_with_their_audit(
    store: GraphStore,
) -> None:
    made = new_integration("broker feed", ["disruption"], created_by="admin", now=T0)
    await store.add_integration(made)
    assert await store.integration(made.id) == made
    assert await store.integrations() == [made]
    with pytest.raises(Conflict):
        await store.add_integration(made)
    revoked = await store.revoke_integration(made.id, at=T0 + timedelta(hours=1), actor="ana")
    assert revoked.revoked_at == T0 + timedelta(hours=1)
    again = await store.revoke_integration(made.id, at=T0 + timedelta(hours=2), actor="ana")
    assert again.revoked_at == revoked.revoked_at
    log = await store.audit_log(kind="integration")
    assert [(r.action.value, r.actor) for r in log.items] == [
        ("integration.create", "admin"),
        ("integration.revoke", "ana"),
    ]
    assert made.secret not in repr([r.to_record() for r in log.items])
    with pytest.raises(NotFound):
        await store.revoke_integration("0123456789abcdef", at=T0, actor="ana")


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_integration_ids_are_refused_before_the_store(
    store: GraphStore, hostile: str
) -> None:
    with pytest.raises(InvalidInput):
        await store.integration(hostile)
    with pytest.raises(InvalidInput):
        await store.revoke_integration(hostile, at=T0, actor="ana")
    assert await store.stored_event(hostile, hostile) is None


async def test_an_event_is_accepted_once_per_integration_and_id(store: GraphStore) -> None:
    first, new = await store.accept_event(_event(1))
    assert new
    assert first.status is EventStatus.ACCEPTED
    again, new = await store.accept_event(_event(1, at=T0 + timedelta(minutes=1)))
    assert not new
    assert again == first
    other, new = await store.accept_event(_event(1, integration_id="fedcba9876543210"))
    assert new
    assert other.key != first.key
    assert await store.stored_event("0123456789abcdef", "evt-1") == first


async def test_a_claim_leases_one_event_to_one_worker_until_the_lease_runs_out(
    store: GraphStore,
) -> None:
    await store.accept_event(_event(1))
    claimed = await store.claim_event("a", now=T0, lease_seconds=30)
    assert claimed is not None
    assert (claimed.status, claimed.lease_owner, claimed.attempts) == (
        EventStatus.PROCESSING,
        "a",
        1,
    )
    assert await store.claim_event("b", now=T0 + timedelta(seconds=29), lease_seconds=30) is None
    taken = await store.claim_event("b", now=T0 + timedelta(seconds=31), lease_seconds=30)
    assert taken is not None
    assert (taken.key, taken.lease_owner, taken.attempts) == (claimed.key, "b", 2)
    # "a" lost its lease: its failure changes nothing
    lost = EventLease(claimed.key, "a", T0 + timedelta(seconds=32))
    assert await store.fail_event(lost, {"code": "X"}, retry=True) is None
    assert await store.stored_event(claimed.integration_id, claimed.event_id) == taken


async def test_a_failure_is_retried_after_a_backoff_then_given_up(store: GraphStore) -> None:
    await store.accept_event(_event(1))
    claimed = await store.claim_event("a", now=T0, lease_seconds=30)
    assert claimed is not None
    failed = await store.fail_event(EventLease(claimed.key, "a", T0), {"code": "X"}, retry=True)
    assert failed is not None
    assert (failed.status, failed.due) == (EventStatus.ACCEPTED, T0.timestamp() + 2)
    assert await store.claim_event("a", now=T0 + timedelta(seconds=1), lease_seconds=30) is None
    later = T0 + timedelta(seconds=3)
    claimed = await store.claim_event("a", now=later, lease_seconds=30)
    assert claimed is not None
    gone = await store.fail_event(EventLease(claimed.key, "a", later), {"code": "Y"}, retry=False)
    assert gone is not None
    assert gone.status is EventStatus.FAILED
    assert gone.error == {"code": "Y"}
    assert await store.claim_event("a", now=later + timedelta(days=1), lease_seconds=30) is None


async def _loaded(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())


async def _process(store: GraphStore, lease: EventLease) -> None:
    await open_w1_incident(store, "integration:0123456789abcdef (broker)", event=lease)


async def test_the_version_and_the_completion_are_one_transaction(store: GraphStore) -> None:
    await _loaded(store)
    await store.accept_event(_event(1))
    claimed = await store.claim_event("a", now=T0, lease_seconds=30)
    assert claimed is not None
    await _process(store, EventLease(claimed.key, "a", T0))
    done = await store.stored_event(claimed.integration_id, claimed.event_id)
    assert done is not None
    assert done.status is EventStatus.PROCESSED
    incident = await store.active_incident("Warehouse:W1")
    assert incident is not None
    assert (done.incident_id, done.version) == (incident.id, 1)
    # processed: nobody claims it again, and a second completion is refused
    assert await store.claim_event("b", now=T0 + timedelta(days=1), lease_seconds=30) is None
    with pytest.raises(LeaseLost):
        await _process(store, EventLease(claimed.key, "a", T0))
    assert [v.number for v in await store.incident_versions(incident.id)] == [1]


async def test_a_worker_that_lost_its_lease_stores_no_version(store: GraphStore) -> None:
    await _loaded(store)
    await store.accept_event(_event(1))
    slow = await store.claim_event("slow", now=T0, lease_seconds=5)
    assert slow is not None
    fast = await store.claim_event("fast", now=T0 + timedelta(seconds=6), lease_seconds=30)
    assert fast is not None
    with pytest.raises(LeaseLost):
        await _process(store, EventLease(slow.key, "slow", T0))
    assert await store.active_incident("Warehouse:W1") is None
    await _process(store, EventLease(fast.key, "fast", T0))
    incident = await store.active_incident("Warehouse:W1")
    assert incident is not None
    assert incident.version == 1
    log = await store.audit_log(kind="incident")
    assert [r.action.value for r in log.items] == ["incident.open"]


async def test_racing_claimers_each_get_different_events(store: GraphStore) -> None:
    for number in range(12):
        await store.accept_event(_event(number))

    async def worker(owner: str) -> list[str]:
        mine: list[str] = []
        while (event := await store.claim_event(owner, now=T0, lease_seconds=60)) is not None:
            mine.append(event.key)
        return mine

    claimed = await asyncio.gather(*(worker(f"w{n}") for n in range(4)))
    every = [key for keys in claimed for key in keys]
    assert sorted(every) == sorted(_event(n).key for n in range(12))


async def test_an_event_whose_workers_keep_dying_is_given_up(store: GraphStore) -> None:
    await store.accept_event(_event(1))
    at = T0
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claimed = await store.claim_event(f"w{attempt}", now=at, lease_seconds=5)
        assert claimed is not None
        assert (claimed.status, claimed.attempts) == (EventStatus.PROCESSING, attempt)
        at += timedelta(seconds=6)  # its worker died: the lease runs out
    given_up = await store.claim_event("last", now=at, lease_seconds=5)
    assert given_up is not None
    assert given_up.status is EventStatus.FAILED
    assert given_up.error is not None
    assert given_up.error["code"] == "ABANDONED"
    assert await store.claim_event("after", now=at + timedelta(days=1), lease_seconds=5) is None
