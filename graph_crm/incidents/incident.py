"""An incident and the team's work on it: status, owner, notes, checklist (pure).

Every change returns a new :class:`Incident` with ``revision`` one higher; the store
saves it only if the stored revision is still the one it was read at (see
``GraphStore.update_incident``), so two people acknowledging at once cannot both win
silently. Status moves open -> acknowledged -> resolved (open -> resolved too: a
disruption over before anyone picked it up); a resolved incident only takes notes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Final

from graph_crm.errors import InvalidInput, InvalidTransition, StaleRevision
from graph_crm.impact.report import ImpactReport
from graph_crm.incidents.checklist import ChecklistItem, build_checklist, check_item
from graph_crm.incidents.text import MAX_NOTE_LENGTH, checked_name, checked_text
from graph_crm.incidents.version import IncidentVersion
from graph_crm.model.records import parse_global_id

#: An incident id: ``inc-`` and 16 hex digits (the service draws them at random).
INCIDENT_ID_PATTERN: Final = re.compile(r"inc-[0-9a-f]{16}", re.ASCII)
#: The most notes one incident keeps (a note is at most MAX_NOTE_LENGTH characters).
MAX_NOTES: Final = 1_000


class IncidentStatus(StrEnum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RESOLVED = "RESOLVED"


#: The statuses each status may move to.
TRANSITIONS: Final = {
    IncidentStatus.OPEN: frozenset({IncidentStatus.ACKNOWLEDGED, IncidentStatus.RESOLVED}),
    IncidentStatus.ACKNOWLEDGED: frozenset({IncidentStatus.RESOLVED}),
    IncidentStatus.RESOLVED: frozenset[IncidentStatus](),
}
#: Not resolved: an event for the same source updates such an incident.
ACTIVE: Final = (IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED)


@dataclass(frozen=True, slots=True)
class Note:
    at: datetime
    author: str
    text: str


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    source: str  # global id "<Type>:<key>"
    delay_days: float
    starts_at: datetime
    note: str
    status: IncidentStatus
    opened_at: datetime
    opened_by: str
    updated_at: datetime
    #: 1 when opened, +1 on every change: the optimistic lock the store checks.
    revision: int
    #: The number of the latest version.
    version: int
    owner: str | None = None
    notes: tuple[Note, ...] = ()
    checklist: tuple[ChecklistItem, ...] = ()
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None

    @property
    def source_type(self) -> str:
        return parse_global_id(self.source, ("source",))[0]

    @property
    def source_key(self) -> str:
        return parse_global_id(self.source, ("source",))[1]

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def check_incident_id(value: object) -> str:
    """``value`` if it is an incident id, else InvalidInput at ``id``."""
    if not isinstance(value, str) or INCIDENT_ID_PATTERN.fullmatch(value) is None:
        raise InvalidInput(
            f"an incident id is 'inc-' and 16 hex digits, not {str(value)[:40]!r}", path=("id",)
        )
    return value


def open_incident(
    incident_id: str,
    version: IncidentVersion,
    *,
    source: str,
    starts_at: datetime,
    note: str,
    actor: str,
) -> Incident:
    """A new incident whose first version is ``version`` (its checklist from its reports)."""
    return Incident(
        id=check_incident_id(incident_id),
        source=source,
        delay_days=version.delay_days,
        starts_at=starts_at,
        note=checked_text(note, "note", MAX_NOTE_LENGTH, empty=True),
        status=IncidentStatus.OPEN,
        opened_at=version.created_at,
        opened_by=checked_name(actor, "actor"),
        updated_at=version.created_at,
        revision=1,
        version=version.number,
        checklist=build_checklist(version.reports),
    )


def _changed(incident: Incident, at: datetime) -> Incident:
    return replace(incident, revision=incident.revision + 1, updated_at=at)


def with_version(incident: Incident, version: IncidentVersion, *, note: str | None) -> Incident:
    """``incident`` moved on to ``version``: its delay, its checklist (work kept for the
    customers still affected), and ``note`` if one is given."""
    if not incident.active:
        raise InvalidTransition("a resolved incident takes no new version", path=("status",))
    reports: Sequence[ImpactReport] = version.reports
    changed = replace(
        _changed(incident, version.created_at),
        delay_days=version.delay_days,
        version=version.number,
        checklist=build_checklist(reports, incident.checklist),
    )
    if note is not None:
        changed = replace(changed, note=checked_text(note, "note", MAX_NOTE_LENGTH, empty=True))
    return changed


def move_to(incident: Incident, status: IncidentStatus, *, actor: str, at: datetime) -> Incident:
    """``incident`` acknowledged or resolved by ``actor`` at ``at``; a move
    :data:`TRANSITIONS` does not allow is InvalidTransition at ``status``."""
    if status not in TRANSITIONS[incident.status]:
        raise InvalidTransition(
            f"an incident that is {incident.status.value} cannot become {status.value}",
            path=("status",),
        )
    actor = checked_name(actor, "actor")
    changed = replace(_changed(incident, at), status=status)
    if status is IncidentStatus.ACKNOWLEDGED:
        return replace(changed, acknowledged_at=at, acknowledged_by=actor)
    return replace(changed, resolved_at=at, resolved_by=actor)


def _still_open(incident: Incident, what: str) -> None:
    if not incident.active:
        raise InvalidTransition(f"a resolved incident cannot be {what}", path=("status",))


def assign(incident: Incident, owner: str, *, at: datetime) -> Incident:
    """``incident`` owned by ``owner`` (a person or team, one line)."""
    _still_open(incident, "assigned")
    return replace(_changed(incident, at), owner=checked_name(owner, "owner"))


def add_note(incident: Incident, text: str, *, actor: str, at: datetime) -> Incident:
    """``incident`` with one more note (resolved incidents take notes too)."""
    if len(incident.notes) >= MAX_NOTES:
        raise InvalidInput(f"an incident keeps at most {MAX_NOTES} notes", path=("text",))
    note = Note(at, checked_name(actor, "actor"), checked_text(text, "text", MAX_NOTE_LENGTH))
    return replace(_changed(incident, at), notes=(*incident.notes, note))


def check_action(
    incident: Incident, target: str, action: str, *, done: bool, actor: str, at: datetime
) -> Incident:
    """``incident`` with ``target``'s ``action`` checked (``done``) or unchecked."""
    _still_open(incident, "worked on")
    items = check_item(
        incident.checklist, target, action, done=done, actor=checked_name(actor, "actor"), at=at
    )
    return replace(_changed(incident, at), checklist=items)


def stale_revision(incident_id: str, stored: int, expected: int) -> StaleRevision:
    """The refusal of a change made from revision ``expected`` of an incident that is now
    at ``stored``."""
    return StaleRevision(
        f"incident {incident_id!r} is at revision {stored}, not {expected}: read it again",
        path=("revision",),
    )
