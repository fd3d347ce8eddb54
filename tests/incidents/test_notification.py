"""A webhook's notification (pure): the incident, the version, the totals, the top rows
and the diff, as compact JSON."""

from __future__ import annotations

import json

from graph_crm.incidents.feed import IncidentChange
from graph_crm.incidents.incident import IncidentStatus, move_to, with_version
from graph_crm.incidents.notification import TOP_ROWS, notification, notification_body
from graph_crm.incidents.version import VersionReason
from tests.incidents.made import INCIDENT_ID, T0, opened, report, version_after


def test_a_notification_carries_incident_version_totals_top_rows_and_diff() -> None:
    incident, first = opened()
    tiers = {f"Customer:C{n:02d}": "T1" if n < 3 else "T3" for n in range(12)}
    second = version_after(first, [report(tiers)], reason=VersionReason.DELAY_UPDATED, minutes=5)
    updated = with_version(incident, second, note=None)
    change = IncidentChange(9, INCIDENT_ID, updated.revision, 2, "delay updated", T0)
    body = notification("00000000000000a1-000000000009", change, updated, second)

    assert body["seq"] == 9
    assert body["delivery"] == "00000000000000a1-000000000009"
    assert body["incident"]["id"] == INCIDENT_ID
    assert body["incident"]["sourceType"] == "Warehouse"
    assert body["version"] == {
        "number": 2,
        "reason": "delay updated",
        "createdAt": body["version"]["createdAt"],
        "delayDays": second.delay_days,
    }
    assert body["totals"]["affected"] == 12
    assert body["totals"]["byTier"] == {"T1": 3, "T3": 9}
    assert len(body["topRows"]) == TOP_ROWS
    assert body["topRows"][0] == {
        "policy": "customs-delay",
        "rank": 1,
        "target": "Customer:C00",
        "label": body["topRows"][0]["label"],
        "tier": "T1",
        "score": body["topRows"][0]["score"],
        "why": second.reports[0].targets[0].explanation,
    }
    (policy,) = body["diff"]
    assert {row["target"] for row in policy["entered"]} >= {"Customer:C00"}
    assert {row["target"] for row in policy["left"]} == {"Customer:A", "Customer:B"}
    assert json.loads(notification_body(body)) == body
    assert notification_body(body) == notification_body(json.loads(notification_body(body)))


def test_a_change_without_a_version_carries_the_latest_one() -> None:
    incident, first = opened()
    acknowledged = move_to(incident, IncidentStatus.ACKNOWLEDGED, actor="ops", at=T0)
    change = IncidentChange(2, INCIDENT_ID, acknowledged.revision, None, "acknowledged", T0)
    body = notification("00000000000000a1-000000000002", change, acknowledged, first)
    assert body["change"]["storedVersion"] is None
    assert body["version"]["number"] == 1
    assert body["incident"]["status"] == "ACKNOWLEDGED"
