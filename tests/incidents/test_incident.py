"""An incident's life: opened on a version, moved through its statuses, worked on."""

from __future__ import annotations

from datetime import timedelta

import pytest

from graph_crm.errors import InvalidInput, InvalidTransition, NotFound
from graph_crm.incidents.incident import (
    TRANSITIONS,
    Incident,
    IncidentStatus,
    add_note,
    assign,
    check_action,
    check_incident_id,
    move_to,
    open_incident,
    with_version,
)
from graph_crm.incidents.text import MAX_NOTE_LENGTH
from graph_crm.incidents.version import VersionReason
from tests.incidents.made import T0, opened, report, version_after

LATER = T0 + timedelta(hours=1)
ACK, RESOLVED, OPEN = (
    IncidentStatus.ACKNOWLEDGED,
    IncidentStatus.RESOLVED,
    IncidentStatus.OPEN,
)


def test_an_incident_opens_at_revision_1_with_its_first_versions_checklist() -> None:
    incident, first = opened()
    assert (incident.status, incident.revision, incident.version) == (OPEN, 1, 1)
    assert (incident.source_type, incident.source_key) == ("Warehouse", "W")
    assert incident.opened_at == incident.updated_at == first.created_at
    assert incident.delay_days == first.delay_days == 6.0
    assert [(item.target, item.action) for item in incident.checklist] == [
        ("Customer:A", "Call the account manager"),
        ("Customer:A", "Re-route"),
        ("Customer:B", "Send a revised ETA"),
    ]
    assert first.reason is VersionReason.OPENED
    assert [t.target for t in first.diff.policies[0].entered] == ["Customer:A", "Customer:B"]


def test_open_acknowledged_resolved_and_every_move_not_allowed_is_refused() -> None:
    incident, _ = opened()
    for start in IncidentStatus:
        for wanted in (ACK, RESOLVED):
            current = incident if start is OPEN else _at_status(incident, start)
            if wanted in TRANSITIONS[start]:
                moved = move_to(current, wanted, actor="ops", at=LATER)
                assert (moved.status, moved.revision) == (wanted, current.revision + 1)
            else:
                with pytest.raises(InvalidTransition) as refused:
                    move_to(current, wanted, actor="ops", at=LATER)
                assert refused.value.path == ("status",)


def _at_status(incident: Incident, status: IncidentStatus) -> Incident:
    return move_to(incident, status, actor="ops", at=LATER)


def test_who_acknowledged_and_resolved_and_when_are_kept() -> None:
    incident, _ = opened()
    acked = move_to(incident, ACK, actor="ana", at=LATER)
    done = move_to(acked, RESOLVED, actor="bo", at=LATER + timedelta(hours=2))
    assert (done.acknowledged_by, done.acknowledged_at) == ("ana", LATER)
    assert (done.resolved_by, done.resolved_at) == ("bo", LATER + timedelta(hours=2))
    assert done.revision == 3
    assert not done.active


def test_a_resolved_incident_takes_notes_but_no_owner_check_or_version() -> None:
    incident, first = opened()
    resolved = move_to(incident, RESOLVED, actor="ops", at=LATER)
    assert add_note(resolved, "post-mortem on Monday", actor="ops", at=LATER).notes
    with pytest.raises(InvalidTransition):
        assign(resolved, "team-emea", at=LATER)
    with pytest.raises(InvalidTransition):
        check_action(resolved, "Customer:A", "Re-route", done=True, actor="ops", at=LATER)
    with pytest.raises(InvalidTransition):
        with_version(resolved, version_after(first, [report({})]), note=None)


def test_checking_an_action_records_who_and_when_and_unchecking_clears_done() -> None:
    incident, _ = opened()
    checked = check_action(incident, "Customer:A", "Re-route", done=True, actor="ana", at=LATER)
    item = next(i for i in checked.checklist if i.action == "Re-route")
    assert (item.done, item.by, item.at) == (True, "ana", LATER)
    assert sum(i.done for i in checked.checklist) == 1
    unchecked = check_action(checked, "Customer:A", "Re-route", done=False, actor="bo", at=LATER)
    assert not any(i.done for i in unchecked.checklist)
    assert unchecked.revision == incident.revision + 2


@pytest.mark.parametrize(
    ("target", "action", "path"),
    [
        ("Customer:Z", "Re-route", ("target",)),
        ("Customer:B", "Re-route", ("action",)),
        ("Customer:A", "x'; DROP TABLE incidents; --", ("action",)),
    ],
)
def test_checking_what_is_not_on_the_list_is_not_found(
    target: str, action: str, path: tuple[str]
) -> None:
    incident, _ = opened()
    with pytest.raises(NotFound) as refused:
        check_action(incident, target, action, done=True, actor="ana", at=LATER)
    assert refused.value.path == path


def test_a_new_version_keeps_the_work_on_customers_still_affected() -> None:
    incident, first = opened({"Customer:A": "T1", "Customer:B": "T1"})
    worked = check_action(incident, "Customer:A", "Re-route", done=True, actor="ana", at=LATER)
    worked = check_action(worked, "Customer:B", "Re-route", done=True, actor="ana", at=LATER)
    second = version_after(
        first,
        [report({"Customer:A": "T1", "Customer:B": "T2", "Customer:C": "T1"}, delay_days=8)],
        reason=VersionReason.DELAY_UPDATED,
        minutes=90,
    )
    moved = with_version(worked, second, note="hold extended")
    assert (moved.version, moved.delay_days, moved.note) == (2, 8.0, "hold extended")
    state = {(i.target, i.action): (i.done, i.by) for i in moved.checklist}
    assert state[("Customer:A", "Re-route")] == (True, "ana")
    assert ("Customer:B", "Re-route") not in state  # B is T2 now: its plan changed
    assert state[("Customer:B", "Send a revised ETA")] == (False, None)
    assert state[("Customer:C", "Re-route")] == (False, None)
    [change] = second.diff.policies[0].tier_changes
    assert (change.target, change.from_tier, change.to_tier) == ("Customer:B", "T1", "T2")


@pytest.mark.parametrize(
    "owner", ["", "   ", "a\nb", "x" * 201, "nul\x00byte", "\x1b[31mred", 42, None]
)
def test_a_bad_owner_is_refused_at_owner(owner: object) -> None:
    incident, _ = opened()
    with pytest.raises(InvalidInput) as refused:
        assign(incident, owner, at=LATER)  # type: ignore[arg-type]
    assert refused.value.path == ("owner",)


def test_notes_are_checked_and_kept_in_order() -> None:
    incident, _ = opened()
    noted = add_note(incident, " first ", actor="ana", at=LATER)
    noted = add_note(noted, "second\nline", actor="bo", at=LATER + timedelta(minutes=1))
    assert [(n.author, n.text) for n in noted.notes] == [("ana", "first"), ("bo", "second\nline")]
    for bad in ("", "x" * (MAX_NOTE_LENGTH + 1), "bell\x07"):
        with pytest.raises(InvalidInput) as refused:
            add_note(incident, bad, actor="ana", at=LATER)
        assert refused.value.path == ("text",)


@pytest.mark.parametrize(
    "value", ["inc-0", "INC-00000000000000A1", "inc-00000000000000a1 ", "../x", 7, None]
)
def test_an_incident_id_is_inc_and_16_hex_digits(value: object) -> None:
    with pytest.raises(InvalidInput):
        check_incident_id(value)
    _, first = opened()
    with pytest.raises(InvalidInput):
        open_incident(value, first, source="W:1", starts_at=T0, note="", actor="a")  # type: ignore[arg-type]
