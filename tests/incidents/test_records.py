"""Incidents and versions stored as JSON-able records read back exactly."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from graph_crm.incidents.incident import IncidentStatus, add_note, assign, check_action, move_to
from graph_crm.incidents.records import (
    incident_from_record,
    incident_to_record,
    version_from_record,
    version_to_record,
)
from graph_crm.incidents.version import VersionReason
from tests.impact.made_reports import ranked
from tests.incidents.made import T0, opened, report, version_after

LATER = T0 + timedelta(hours=1)


def test_a_worked_incident_round_trips_through_json_text() -> None:
    incident, _ = opened()
    worked = assign(incident, "Team EMEA — 夜班", at=LATER)
    worked = add_note(worked, "broker says 48h\nmaybe more", actor="ana", at=LATER)
    worked = check_action(worked, "Customer:A", "Re-route", done=True, actor="ana", at=LATER)
    worked = move_to(worked, IncidentStatus.ACKNOWLEDGED, actor="bo", at=LATER)
    record = json.loads(json.dumps(incident_to_record(worked)))
    assert incident_from_record(record) == worked
    assert record["startsAt"] == "2026-11-23T09:00:00.000000Z"


def test_times_in_other_offsets_come_back_as_the_same_instant_in_utc() -> None:
    incident, _ = opened()
    east = timezone(timedelta(hours=8))
    moved = replace(incident, starts_at=datetime(2026, 11, 23, 17, tzinfo=east))
    back = incident_from_record(incident_to_record(moved))
    assert back.starts_at == moved.starts_at
    assert back.starts_at.tzinfo is UTC


def test_a_version_with_its_reports_and_diff_round_trips() -> None:
    _, first = opened()
    deadline = replace(
        ranked(1, "Customer:A", paths=[["Warehouse:W", "Shipment:S1", "Customer:A"]]),
        sla_deadline=datetime(2026, 11, 25, 8, 30, tzinfo=UTC),
        sla_entity="Contract:K1",
        actions=("Call",),
    )
    changed = replace(report({"Customer:C": "T3"}), targets=(deadline,), currency="CNY")
    second = version_after(
        first,
        [changed, report({"Customer:B": "T1"}, policy="air")],
        reason=VersionReason.DELAY_UPDATED,
        minutes=5,
    )
    record = json.loads(json.dumps(version_to_record(second)))
    assert version_from_record(record) == second
    assert version_from_record(version_to_record(first)) == first
    assert record["reason"] == "delay updated"


def test_version_totals_add_up_the_policies() -> None:
    version = version_after(
        None,
        [
            report({"Customer:A": "T1", "Customer:B": "T2"}),
            report({"Customer:A": "T1"}, policy="b"),
        ],
    )
    totals = version.totals
    assert (totals.affected, totals.predicted_breaches) == (3, 3)
    assert totals.by_tier == {"T1": 2, "T2": 1}
    assert totals.exposure_at_risk == 3000.0
    assert [r.policy for r in version.reports] == ["b", "customs-delay"]
