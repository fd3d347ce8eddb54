"""Re-evaluation events (incidents/reevaluation.py): one per incident, asks coalesce
while it waits, run again after a worker that held it, due again once done (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from graph_crm.incidents.events import EventStatus, StoredEvent
from graph_crm.incidents.reevaluation import (
    MAX_CHANGES,
    asked_again,
    is_reevaluation,
    reevaluation_event,
)

AT = datetime(2026, 3, 10, 12, tzinfo=UTC)
LATER = AT + timedelta(minutes=5)
INCIDENT = "inc-0123456789abcdef"


def test_waiting_it_stays_waiting_and_gathers_what_changed() -> None:
    first = reevaluation_event(INCIDENT, ["Shipment.status"], AT)
    assert is_reevaluation(first)
    again = asked_again(first, ["ROUTED_VIA"], LATER)
    assert (again.status, again.due, again.rerun) == (EventStatus.ACCEPTED, AT.timestamp(), False)
    assert again.payload["changes"] == ["ROUTED_VIA", "Shipment.status"]


def test_held_by_a_worker_it_runs_again_once_processed() -> None:
    held = reevaluation_event(INCIDENT, ["A"], AT).claimed("w", AT.timestamp(), 30)
    asked = asked_again(held, ["B"], LATER)
    assert (asked.status, asked.lease_owner, asked.rerun) == (EventStatus.PROCESSING, "w", True)
    done = asked.processed(INCIDENT, 2, LATER)
    assert (done.status, done.due, done.rerun, done.attempts) == (
        EventStatus.ACCEPTED,
        LATER.timestamp(),
        False,
        0,
    )
    assert StoredEvent.from_text(asked.to_text()) == asked
    # not asked again: processed for good
    assert held.processed(INCIDENT, 2, LATER).status is EventStatus.PROCESSED


def test_processed_or_failed_it_is_due_again_with_the_new_changes_only() -> None:
    held = reevaluation_event(INCIDENT, ["A"], AT).claimed("w", AT.timestamp(), 30)
    for done in (
        held.processed(INCIDENT, 1, AT),
        held.failed({"code": "X", "message": "m", "path": []}, AT, retry=False),
    ):
        again = asked_again(done, ["B"], LATER)
        assert (again.status, again.due, again.error, again.finished_at) == (
            EventStatus.ACCEPTED,
            LATER.timestamp(),
            None,
            None,
        )
        assert (again.attempts, again.payload["changes"]) == (0, ["B"])


def test_what_changed_is_bounded_and_a_posted_event_is_not_a_reevaluation() -> None:
    many = reevaluation_event(INCIDENT, [f"T{i:02}" for i in range(50)], AT)
    assert len(many.payload["changes"]) == MAX_CHANGES
    posted = replace(many, integration_id="0123456789abcdef")
    assert not is_reevaluation(posted)
