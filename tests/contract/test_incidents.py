"""Incidents and their versions: stored, listed and updated alike on every backend.

The store keeps what the pure core makes (tests/incidents); here: exact round trips,
one active incident per source, the optimistic revision, pages, and refusals that store
nothing.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from graph_crm.errors import Conflict, InvalidInput, NotFound, StaleRevision
from graph_crm.incidents.incident import (
    Incident,
    IncidentStatus,
    add_note,
    check_action,
    move_to,
    open_incident,
    with_version,
)
from graph_crm.incidents.version import IncidentVersion, VersionReason, next_version
from graph_crm.services.impact_report import impact_report
from graph_crm.store.base import GraphStore
from tests.contract.logistics import AS_OF, customs_policy, load_logistics
from tests.incidents.made import INCIDENT_ID, T0, opened, report, version_after

LATER = T0 + timedelta(hours=1)
HOSTILE = [
    "x'y",
    "'; DROP TABLE incidents; --",
    "} DETACH DELETE n //",
    "`) MATCH (n) DETACH DELETE n //",
    "%_*",
]


def _incident(number: int, source: str = "Warehouse:W", minutes: int = 0) -> Incident:
    first = version_after(None, [report({"Customer:A": "T1"})], minutes=minutes)
    return open_incident(
        f"inc-{number:016x}", first, source=source, starts_at=T0, note="", actor="ops"
    )


async def _open(store: GraphStore, incident: Incident) -> None:
    first = version_after(None, [report({"Customer:A": "T1"})])
    await store.open_incident(incident, replace(first, created_at=incident.opened_at))


async def test_an_incident_and_its_versions_round_trip_exactly(store: GraphStore) -> None:
    incident, first = opened()
    await store.open_incident(incident, first, actor="risk@example.com")
    assert await store.incident(incident.id) == incident
    assert await store.active_incident("Warehouse:W") == incident
    assert await store.incident_versions(incident.id) == [first]
    second = version_after(
        first,
        [report({"Customer:A": "T2", "Customer:C": "T1"}, delay_days=9)],
        reason=VersionReason.DELAY_UPDATED,
        minutes=30,
    )
    moved = with_version(incident, second, note="extended")
    await store.update_incident(moved, version=second, actor="risk", reason="delay updated")
    assert await store.incident(incident.id) == moved
    assert await store.incident_versions(incident.id) == [first, second]
    assert await store.incident_versions(incident.id, since=1) == [second]
    assert await store.incident("inc-ffffffffffffffff") is None


async def test_a_real_report_is_stored_and_read_back_as_it_was(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    made = await impact_report(store, source="Warehouse:W1", delay_days=3, as_of=AS_OF, limit=1000)
    first = next_version(None, [made], reason=VersionReason.OPENED, delay_days=3, at=T0)
    incident = open_incident(
        INCIDENT_ID, first, source="Warehouse:W1", starts_at=T0, note="hold", actor="ops"
    )
    await store.open_incident(incident, first)
    [stored] = await store.incident_versions(INCIDENT_ID)
    assert stored == first
    assert stored.reports[0].targets  # the logistics graph affects three customers
    assert (await store.incident(INCIDENT_ID)) == incident


async def test_one_active_incident_per_source_and_a_resolved_one_frees_it(
    store: GraphStore,
) -> None:
    first = _incident(1)
    await _open(store, first)
    with pytest.raises(Conflict) as refused:
        await _open(store, _incident(2))
    assert refused.value.path == ("source",)
    with pytest.raises(Conflict):
        await _open(store, first)  # the same id again
    assert (await store.incidents()).total_count == 1
    resolved = move_to(first, IncidentStatus.RESOLVED, actor="ops", at=LATER)
    await store.update_incident(resolved)
    assert await store.active_incident("Warehouse:W") is None
    await _open(store, _incident(2))
    active = await store.active_incident("Warehouse:W")
    assert active is not None
    assert active.id == _incident(2).id


async def test_racing_opens_for_one_source_leave_exactly_one(store: GraphStore) -> None:
    results = await asyncio.gather(
        *(_open(store, _incident(n)) for n in range(1, 6)), return_exceptions=True
    )
    assert sum(result is None for result in results) == 1
    assert all(isinstance(r, Conflict) for r in results if r is not None)
    assert (await store.incidents()).total_count == 1
    assert len((await store.audit_log(kind="incident")).items) == 1


async def test_two_changes_from_one_revision_cannot_both_win(store: GraphStore) -> None:
    incident, first = opened()
    await store.open_incident(incident, first)
    ack = move_to(incident, IncidentStatus.ACKNOWLEDGED, actor="ana", at=LATER)
    noted = add_note(incident, "on it", actor="bo", at=LATER)
    await store.update_incident(ack, actor="ana")
    with pytest.raises(StaleRevision) as refused:
        await store.update_incident(noted, actor="bo")
    assert refused.value.code == "STALE_REVISION"
    assert await store.incident(incident.id) == ack
    # read again, then it applies
    again = add_note(ack, "on it", actor="bo", at=LATER)
    await store.update_incident(again, actor="bo")
    stored = await store.incident(incident.id)
    assert stored is not None
    assert (stored.revision, stored.status, len(stored.notes)) == (3, ack.status, 1)


async def test_racing_acknowledgements_exactly_one_wins(store: GraphStore) -> None:
    incident, first = opened()
    await store.open_incident(incident, first)
    racers = [
        move_to(incident, IncidentStatus.ACKNOWLEDGED, actor=f"person-{n}", at=LATER)
        for n in range(6)
    ]
    results = await asyncio.gather(
        *(store.update_incident(r, actor=r.acknowledged_by or "") for r in racers),
        return_exceptions=True,
    )
    assert sum(result is None for result in results) == 1
    assert all(isinstance(r, StaleRevision) for r in results if r is not None)
    stored = await store.incident(incident.id)
    assert stored is not None
    assert stored.revision == 2
    winner = racers[results.index(None)]
    assert stored.acknowledged_by == winner.acknowledged_by
    changes = (await store.audit_log(action="incident.change")).items
    assert [record.actor for record in changes] == [winner.acknowledged_by]


async def test_a_refused_update_stores_nothing_not_even_its_version(store: GraphStore) -> None:
    incident, first = opened()
    await store.open_incident(incident, first)
    second = version_after(first, [report({"Customer:Z": "T1"})], minutes=5)
    stale = replace(with_version(incident, second, note=None), revision=5)
    with pytest.raises(StaleRevision):
        await store.update_incident(stale, version=second)
    assert await store.incident_versions(incident.id) == [first]
    absent = replace(_incident(9), revision=2)
    with pytest.raises(NotFound):
        await store.update_incident(absent)
    assert len((await store.audit_log(kind="incident")).items) == 1


async def test_every_write_leaves_its_audit_record(store: GraphStore) -> None:
    incident, first = opened()
    await store.open_incident(incident, first, actor="risk@example.com")
    checked = check_action(incident, "Customer:A", "Re-route", done=True, actor="ana", at=LATER)
    await store.update_incident(checked, actor="ana", reason="action checked")
    records = (await store.audit_log(kind="incident")).items
    assert [(r.action.value, r.actor, r.ids) for r in records] == [
        ("incident.open", "risk@example.com", (incident.id,)),
        ("incident.change", "ana", (incident.id,)),
    ]
    assert records[1].after is not None
    assert records[1].after["why"] == "action checked"
    assert records[1].summary == {"revision": 2, "version": 1}


async def test_lists_are_newest_first_filtered_and_paged(store: GraphStore) -> None:
    made = [_incident(n, source=f"Warehouse:W{n % 3}", minutes=n) for n in range(1, 8)]
    for incident in made[:3]:
        await _open(store, incident)
    for incident in made[:3]:
        await store.update_incident(
            move_to(incident, IncidentStatus.RESOLVED, actor="ops", at=LATER)
        )
    for incident in made[3:]:
        if await store.active_incident(incident.source) is None:
            await _open(store, incident)
    # 4, 5 and 6 open (W1, W2, W0); 7 (W1) does not: 4 is active
    stored = [i.id for i in made[:6]]
    page = await store.incidents(first=4)
    assert page.total_count == 6
    assert [i.id for i in page.items] == list(reversed(stored))[:4]
    assert page.has_next_page
    rest = await store.incidents(first=4, after=page.end_cursor)
    assert [i.id for i in rest.items] == list(reversed(stored))[4:]
    assert not rest.has_next_page
    resolved = await store.incidents(status=["RESOLVED"])
    assert {i.id for i in resolved.items} == {i.id for i in made[:3]}
    assert resolved.total_count == 3
    by_source = await store.incidents(source="Warehouse:W1", status=["OPEN", "ACKNOWLEDGED"])
    assert [i.id for i in by_source.items] == [made[3].id]


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"status": ["CLOSED"]}, ("status",)),
        ({"status": "OPEN"}, ("status",)),
        ({"source": "no-colon"}, ("source",)),
        ({"first": 0}, ("first",)),
        ({"first": 201}, ("first",)),
        ({"first": True}, ("first",)),
        ({"after": "bm90IGEgY3Vyc29y"}, ("after",)),
        ({"after": "x" * 600}, ("after",)),
    ],
)
async def test_a_bad_list_request_is_refused_at_its_argument(
    store: GraphStore, arguments: dict[str, object], path: tuple[str]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await store.incidents(**arguments)  # type: ignore[arg-type]
    assert refused.value.path == path


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_hostile_ids_and_sources_are_refused_or_find_nothing(
    store: GraphStore, hostile: str
) -> None:
    await _open(store, _incident(1))
    with pytest.raises(InvalidInput):
        await store.incident(hostile)
    with pytest.raises(InvalidInput):
        await store.incident_versions(hostile)
    assert await store.active_incident(f"Warehouse:{hostile}") is None
    assert (await store.incidents(source=f"Warehouse:{hostile}")).total_count == 0
    assert (await store.incidents()).total_count == 1


async def test_a_version_that_is_not_the_incidents_latest_is_refused(store: GraphStore) -> None:
    incident, first = opened()
    wrong: IncidentVersion = replace(first, number=2)
    with pytest.raises(InvalidInput):
        await store.open_incident(incident, wrong)
    assert await store.incident(incident.id) is None
