"""report_disruption and change_incident (services/incidents.py) on every backend.

The graph is tests/contract/logistics.py's: as of 2026-03-10 12:00, a 3-day delay at W1
reaches G (T1), CA (T2) and PB (T3); at 6 days CA's buffer (4.8 days) is exceeded too.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from graph_crm.errors import GraphCrmError, StaleRevision
from graph_crm.incidents.incident import Incident, IncidentStatus, check_action, move_to
from graph_crm.services.incidents import change_incident, report_disruption
from graph_crm.store.base import GraphStore
from tests.contract.logistics import AS_OF, customs_policy, load_logistics

W1 = {"source_type": "Warehouse", "source_key": "W1"}


async def _loaded(store: GraphStore) -> GraphStore:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    return store


async def _report(store: GraphStore, delay: float = 3, **changes: Any) -> Any:
    arguments: dict[str, Any] = {
        **W1,
        "delay_days": delay,
        "starts_at": "2026-03-10T06:00:00Z",
        "note": "customs hold",
        "now": AS_OF,
        "actor": "risk@example.com",
        **changes,
    }
    return await report_disruption(store, **arguments)


def _tiers(version: Any) -> dict[str, str]:
    return {t.target: t.tier for report in version.reports for t in report.targets}


async def test_the_first_report_opens_an_incident_with_every_affected_customer(
    store: GraphStore,
) -> None:
    await _loaded(store)
    made = await _report(store)
    assert made.opened
    incident, version = made.incident, made.version
    assert (incident.source, incident.status, incident.version) == (
        "Warehouse:W1",
        IncidentStatus.OPEN,
        1,
    )
    assert _tiers(version) == {"Customer:G": "T1", "Customer:CA": "T2", "Customer:PB": "T3"}
    [diff] = version.diff.policies
    assert {t.target for t in diff.entered} == set(_tiers(version))
    assert ("Customer:G", "Call the account manager today") in {
        (item.target, item.action) for item in incident.checklist
    }
    assert await store.incident(incident.id) == incident
    assert await store.incident_versions(incident.id) == [version]


async def test_a_new_delay_updates_the_open_incident_with_the_diff(store: GraphStore) -> None:
    await _loaded(store)
    first = await _report(store)
    checked = await change_incident(
        store,
        first.incident.id,
        lambda i: _check(i, "Customer:G", "Call the account manager today"),
        actor="ana",
        reason="action checked",
    )
    second = await _report(store, delay=6, note="hold extended")
    assert not second.opened
    assert second.incident.id == first.incident.id
    assert (second.version.number, second.version.reason.value) == (2, "delay updated")
    [diff] = second.version.diff.policies
    assert not diff.entered
    assert not diff.left
    [change] = diff.tier_changes
    assert (change.target, change.from_tier, change.to_tier) == ("Customer:CA", "T2", "T1")
    assert "delay" in change.reason
    stored = await store.incident(first.incident.id)
    assert stored is not None
    assert (stored.delay_days, stored.note, stored.revision) == (6.0, "hold extended", 3)
    kept = {(i.target, i.action): i.by for i in stored.checklist if i.done}
    assert kept == {("Customer:G", "Call the account manager today"): "ana"}
    assert checked.revision == 2
    third = await _report(store, delay=6)
    assert third.version.reason.value == "reported again"
    assert third.version.diff.empty
    assert len(await store.incident_versions(first.incident.id)) == 3


def _check(incident: Incident, target: str, action: str) -> Incident:
    return check_action(incident, target, action, done=True, actor="ana", at=AS_OF)


async def test_every_policy_of_the_source_type_is_evaluated_and_no_other(
    store: GraphStore,
) -> None:
    await _loaded(store)
    await store.define_impact_policy(customs_policy(name="port-strike"))
    other = customs_policy(name="customer-side", source="Customer")
    other["steps"] = [{"relation": "PARENT_OF", "direction": "OUT"}]
    other.pop("rollup")
    other["signals"] = {}
    await store.define_impact_policy(other)
    made = await _report(store)
    assert [report.policy for report in made.version.reports] == ["customs-delay", "port-strike"]


async def test_a_resolved_incident_is_not_updated_a_new_one_opens(store: GraphStore) -> None:
    await _loaded(store)
    first = await _report(store)
    await change_incident(
        store,
        first.incident.id,
        lambda i: move_to(i, IncidentStatus.RESOLVED, actor="ops", at=AS_OF),
        actor="ops",
        reason="resolved",
    )
    again = await _report(store)
    assert again.opened
    assert again.incident.id != first.incident.id
    assert (await store.incidents()).total_count == 2


async def test_racing_reports_for_one_source_make_one_incident(store: GraphStore) -> None:
    await _loaded(store)
    made = await asyncio.gather(*(_report(store, delay=d) for d in (3, 4, 5, 6)))
    assert len({m.incident.id for m in made}) == 1
    assert sum(m.opened for m in made) == 1
    versions = await store.incident_versions(made[0].incident.id)
    assert [v.number for v in versions] == [1, 2, 3, 4]


async def test_a_stale_revision_changes_nothing(store: GraphStore) -> None:
    await _loaded(store)
    first = await _report(store)
    with pytest.raises(StaleRevision) as refused:
        await change_incident(
            store,
            first.incident.id,
            lambda i: move_to(i, IncidentStatus.ACKNOWLEDGED, actor="ops", at=AS_OF),
            actor="ops",
            reason="acknowledged",
            revision=7,
        )
    assert refused.value.path == ("revision",)
    assert await store.incident(first.incident.id) == first.incident


@pytest.mark.parametrize(
    ("changes", "code", "path"),
    [
        ({"source_type": "Nope"}, "UNKNOWN_TYPE", ("source", "type")),
        ({"source_type": "Customer"}, "INVALID_INPUT", ("source", "type")),
        ({"source_type": "Ware`house"}, "INVALID_NAME", ("source", "type")),
        ({"source_type": "_GraphCrmIncident"}, "RESERVED_NAME", ("source", "type")),
        ({"source_type": "Warehouse) DETACH DELETE n //"}, "INVALID_NAME", ("source", "type")),
        ({"source_key": "W1'; DROP TABLE incidents; --"}, "NOT_FOUND", ("source",)),
        ({"source_key": 7}, "INVALID_INPUT", ("source", "key")),
        ({"delay": -1}, "INVALID_INPUT", ("delayDays",)),
        ({"delay": float("nan")}, "INVALID_INPUT", ("delayDays",)),
        ({"starts_at": "yesterday"}, "INVALID_INPUT", ("startsAt",)),
        ({"note": "x" * 4001}, "INVALID_INPUT", ("note",)),
        ({"note": "bell\x07"}, "INVALID_INPUT", ("note",)),
    ],
)
async def test_bad_input_is_refused_at_its_argument_and_stores_nothing(
    store: GraphStore, changes: dict[str, Any], code: str, path: tuple[str, ...]
) -> None:
    await _loaded(store)
    with pytest.raises(GraphCrmError) as refused:
        await _report(store, **changes)
    assert (refused.value.code, refused.value.path[: len(path)]) == (code, path)
    assert (await store.incidents()).total_count == 0
    assert not (await store.audit_log(kind="incident")).items


async def test_the_version_is_evaluated_as_of_now_and_keeps_its_start(store: GraphStore) -> None:
    await _loaded(store)
    made = await _report(store, now=AS_OF + timedelta(days=2))
    assert made.version.reports[0].as_of == AS_OF + timedelta(days=2)
    assert made.incident.starts_at.isoformat() == "2026-03-10T06:00:00+00:00"
