"""Open incidents kept current (issue 18, "Staying current") on every backend: a write
that can change an open incident's report queues one re-evaluation, coalesced per
incident; one that cannot queues nothing; a worker stores a new version only when a
report changed.

The graph is tests/contract/logistics.py's: as of AS_OF a 3-day delay at W1 reaches
G (T1), CA (T2) and PB (T3) through in-transit shipments; CA's SLA comes from its
contracts (KA2: 03-15 08:00), exposure from the shipments' value, complaints FILED.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graph_crm.incidents.events import EventStatus, StoredEvent
from graph_crm.incidents.incident import IncidentStatus, move_to
from graph_crm.incidents.reevaluation import INTERNAL_INTEGRATION
from graph_crm.services.events import ProcessorSettings, process_next
from graph_crm.services.incidents import change_incident
from graph_crm.store.base import GraphStore
from graph_crm.store.events import EventLease
from tests.contract.logistics import AS_OF, customs_policy, load_logistics, open_w1_incident

WORKER = ProcessorSettings(owner="tests-worker")


async def _opened(store: GraphStore) -> str:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    return await open_w1_incident(store, "risk@example.com")


async def _asked(store: GraphStore, incident_id: str) -> StoredEvent | None:
    return await store.stored_event(INTERNAL_INTEGRATION, f"reevaluate-{incident_id}")


async def _numbers(store: GraphStore, incident_id: str) -> list[tuple[int, str]]:
    return [(v.number, v.reason.value) for v in await store.incident_versions(incident_id)]


async def _book_shipment(store: GraphStore, key: str = "S9", customer: str = "CN") -> None:
    """A shipment booked through W1 for a customer no delay reached before."""
    await store.write_batch(
        {
            "Customer": [{"key": customer, "name": f"{customer} Ltd"}],
            "Shipment": [{"key": key, "status": "IN_TRANSIT", "value": 300.0}],
        },
        {
            "ROUTED_VIA": [{"from": key, "to": "W1"}],
            "SHIPPED_FOR": [{"from": key, "to": customer}],
        },
    )


async def _memo(store: GraphStore) -> None:
    await store.define_entity_type(
        {"name": "Memo", "properties": [{"name": "text", "kind": "STRING"}]}
    )
    await store.upsert_entities("Memo", [{"key": "M1", "text": "call CA"}])
    await store.delete_entities(["Memo:M1"])


UNRELATED: list[tuple[str, Any]] = [
    # a property no policy reads, on a type on the path
    ("customer name", lambda s: s.upsert_entities("Customer", [{"key": "CA", "name": "CA plc"}])),
    ("warehouse name", lambda s: s.upsert_entities("Warehouse", [{"key": "W1", "name": "Rtm"}])),
    # a shipment's promisedBy: this policy's SLA is its contracts'
    (
        "promisedBy",
        lambda s: s.upsert_entities(
            "Shipment",
            [{"key": "S1", "status": "IN_TRANSIT", "value": 100.0, "promisedBy": "2026-03-09"}],
        ),
    ),
    # a write that changes nothing
    (
        "same value",
        lambda s: s.upsert_entities(
            "Contract", [{"key": "KA2", "slaDeadline": "2026-03-15T08:00:00Z"}]
        ),
    ),
    # an entity created, linked to nothing: what reaches an entity is a relation
    ("new warehouse", lambda s: s.write_batch({"Warehouse": [{"key": "W9"}]})),
    # an entity of a type off every path
    ("other type", _memo),
]


@pytest.mark.parametrize(("what", "write"), UNRELATED, ids=[u[0] for u in UNRELATED])
async def test_a_write_the_report_does_not_read_asks_for_nothing(
    store: GraphStore, what: str, write: Any
) -> None:
    incident_id = await _opened(store)
    await write(store)
    assert await _asked(store, incident_id) is None, what
    assert await process_next(store, WORKER, as_of=AS_OF) is None
    assert await _numbers(store, incident_id) == [(1, "opened")]


async def test_a_shipment_booked_through_the_source_adds_a_version_with_the_customer(
    store: GraphStore,
) -> None:
    incident_id = await _opened(store)
    await _book_shipment(store)
    asked = await _asked(store, incident_id)
    assert asked is not None
    assert asked.status is EventStatus.ACCEPTED
    # the rows created change nothing by themselves: their links reach them
    assert asked.payload["changes"] == ["ROUTED_VIA", "SHIPPED_FOR"]
    done = await process_next(store, WORKER, as_of=AS_OF)
    assert done is not None
    assert done.status is EventStatus.PROCESSED
    assert (done.incident_id, done.version) == (incident_id, 2)
    assert await process_next(store, WORKER, as_of=AS_OF) is None
    versions = await store.incident_versions(incident_id)
    assert [(v.number, v.reason.value) for v in versions] == [(1, "opened"), (2, "re-evaluated")]
    [diff] = versions[1].diff.policies
    assert [t.target for t in diff.entered] == ["Customer:CN"]
    assert not diff.left
    assert "ROUTED_VIA" in versions[1].changes
    incident = await store.incident(incident_id)
    assert incident is not None
    assert (incident.version, incident.delay_days) == (2, 3.0)
    assert "Customer:CN" in {item.target for item in incident.checklist}
    # both written "as of" AS_OF: found by action, not by order
    [changed] = (await store.audit_log(kind="incident", action="incident.change")).items
    assert changed.actor == "re-evaluation"
    assert changed.after is not None
    assert changed.after["why"] == "re-evaluated"


async def test_a_contract_deadline_moved_changes_a_tier_with_its_reason(store: GraphStore) -> None:
    incident_id = await _opened(store)
    await store.upsert_entities("Contract", [{"key": "KA2", "slaDeadline": "2026-03-11T00:00:00Z"}])
    asked = await _asked(store, incident_id)
    assert asked is not None
    assert asked.payload["changes"] == ["Contract.slaDeadline"]
    await process_next(store, WORKER, as_of=AS_OF)
    version = (await store.incident_versions(incident_id))[-1]
    assert (version.number, version.reason.value) == (2, "re-evaluated")
    [diff] = version.diff.policies
    [change] = diff.tier_changes
    assert (change.target, change.from_tier, change.to_tier) == ("Customer:CA", "T2", "T1")
    assert "SLA buffer" in change.reason


async def test_a_complaint_logged_and_an_unlink_are_relevant(store: GraphStore) -> None:
    incident_id = await _opened(store)
    await store.write_batch(
        {"Complaint": [{"key": "F9", "filedAt": "2026-03-09T00:00:00Z"}]},
        {"FILED": [{"from": "PB", "to": "F9"}]},
    )
    asked = await _asked(store, incident_id)
    assert asked is not None
    assert asked.payload["changes"] == ["FILED"]
    done = await process_next(store, WORKER, as_of=AS_OF)
    assert done is not None
    # one complaint more moves neither PB's tier nor its rank: nothing stored
    assert (done.status, done.version) == (EventStatus.PROCESSED, 1)
    # S5 is the one shipment through W1 of G's subsidiaries
    await store.unlink("ROUTED_VIA", [{"from": "S5", "to": "W1"}])
    asked = await _asked(store, incident_id)
    assert asked is not None
    assert (asked.status, asked.payload["changes"]) == (EventStatus.ACCEPTED, ["ROUTED_VIA"])
    await process_next(store, WORKER, as_of=AS_OF)
    versions = await store.incident_versions(incident_id)
    assert [v.number for v in versions] == [1, 2]
    assert [t.target for t in versions[1].diff.policies[0].left] == ["Customer:G"]


async def test_a_relevant_write_that_changes_no_report_stores_nothing(store: GraphStore) -> None:
    incident_id = await _opened(store)
    # S3 is delivered: its value is read, but the step's filter leaves it out
    await store.upsert_entities("Shipment", [{"key": "S3", "status": "DELIVERED", "value": 5.0}])
    assert await _asked(store, incident_id) is not None
    done = await process_next(store, WORKER, as_of=AS_OF)
    assert done is not None
    assert (done.status, done.version) == (EventStatus.PROCESSED, 1)
    assert await _numbers(store, incident_id) == [(1, "opened")]


async def test_ten_relevant_writes_before_the_worker_runs_make_one_reevaluation(
    store: GraphStore,
) -> None:
    incident_id = await _opened(store)
    for i in range(10):
        await _book_shipment(store, key=f"S{10 + i}", customer=f"CN{i}")
    done = await process_next(store, WORKER, as_of=AS_OF)
    assert done is not None
    assert done.event_id == f"reevaluate-{incident_id}"
    assert await process_next(store, WORKER, as_of=AS_OF) is None
    versions = await store.incident_versions(incident_id)
    assert [v.number for v in versions] == [1, 2]
    [diff] = versions[1].diff.policies
    assert len(diff.entered) == 10


async def test_a_write_while_the_worker_holds_it_asks_for_it_again(store: GraphStore) -> None:
    incident_id = await _opened(store)
    await _book_shipment(store)
    claimed = await store.claim_event("slow-worker", now=AS_OF.now(AS_OF.tzinfo), lease_seconds=30)
    assert claimed is not None
    assert claimed.status is EventStatus.PROCESSING
    # written after the worker read (or may have read) the graph
    await _book_shipment(store, key="S20", customer="CM")
    held = await _asked(store, incident_id)
    assert held is not None
    assert (held.status, held.rerun) == (EventStatus.PROCESSING, True)
    lease = EventLease(claimed.key, "slow-worker", AS_OF.now(AS_OF.tzinfo))
    await store.complete_event(lease, incident_id, 1)
    again = await _asked(store, incident_id)
    assert again is not None
    assert (again.status, again.rerun) == (EventStatus.ACCEPTED, False)
    await process_next(store, WORKER, as_of=AS_OF)
    [_, second] = await store.incident_versions(incident_id)
    [diff] = second.diff.policies
    assert {t.target for t in diff.entered} == {"Customer:CN", "Customer:CM"}


async def test_a_resolved_incident_is_not_reevaluated(store: GraphStore) -> None:
    incident_id = await _opened(store)
    await _book_shipment(store)  # asked while open
    await change_incident(
        store,
        incident_id,
        lambda i: move_to(i, IncidentStatus.RESOLVED, actor="ops", at=AS_OF),
        actor="ops",
        reason="resolved",
    )
    done = await process_next(store, WORKER, as_of=AS_OF)
    assert done is not None
    assert done.status is EventStatus.PROCESSED
    await _book_shipment(store, key="S21", customer="CO")
    assert await process_next(store, WORKER, as_of=AS_OF) is None
    assert await _numbers(store, incident_id) == [(1, "opened")]


async def test_altering_the_policy_reevaluates_its_incidents(store: GraphStore) -> None:
    incident_id = await _opened(store)
    policy = customs_policy()
    policy["steps"][0]["where"] = {"status": {"in": ["IN_TRANSIT", "DELIVERED"]}}
    await store.alter_impact_policy(policy)
    asked = await _asked(store, incident_id)
    assert asked is not None
    assert asked.payload["changes"] == ["policy customs-delay"]
    await process_next(store, WORKER, as_of=AS_OF)
    version = (await store.incident_versions(incident_id))[-1]
    assert version.number == 2
    assert version.changes == ("policy customs-delay",)


async def test_two_workers_racing_for_one_reevaluation_store_one_version(
    store: GraphStore,
) -> None:
    incident_id = await _opened(store)
    await _book_shipment(store)
    workers = [ProcessorSettings(owner=f"worker-{n}") for n in range(2)]
    done = await asyncio.gather(*(process_next(store, w, as_of=AS_OF) for w in workers))
    assert sum(event is not None for event in done) == 1
    assert await process_next(store, WORKER, as_of=AS_OF) is None
    assert [n for n, _ in await _numbers(store, incident_id)] == [1, 2]


async def test_dropping_the_policy_fails_its_reevaluation_and_stores_nothing(
    store: GraphStore,
) -> None:
    incident_id = await _opened(store)
    await store.drop_impact_policy("customs-delay")
    done = await process_next(store, WORKER, as_of=AS_OF)
    assert done is not None
    assert done.status is EventStatus.FAILED
    assert done.error is not None
    assert done.error["code"] == "INVALID_INPUT"
    assert await _numbers(store, incident_id) == [(1, "opened")]
