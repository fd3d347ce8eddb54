"""Incidents as every backend stores them, written once (see :mod:`graph_crm.incidents`).

An incident is one row (SQLite) or node (Neo4j, ``_GraphCrmIncident``) holding a few
columns to find it by and its whole record as JSON text; each version is a row or node
of its own (``_GraphCrmIncidentVersion``), never changed once written. ``activeSource``
holds the source while the incident is not resolved and is unique, so two events racing
to open an incident for one source cannot both open one: the loser gets a Conflict.
``revision`` is the optimistic lock: an update names the revision it was made from.
Every write also appends its entry to the change feed (:mod:`graph_crm.incidents.feed`):
a row of ``incident_changes`` numbered by SQLite's autoincrement under the one writer,
or a ``_GraphCrmIncidentChange`` node numbered by the ``_GraphCrmIncidentFeed`` counter
read under its write lock, so the numbers follow commit order on both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph_crm.errors import Conflict, InvalidInput
from graph_crm.incidents.events import StoredEvent
from graph_crm.incidents.feed import change_row
from graph_crm.incidents.incident import Incident, check_incident_id
from graph_crm.incidents.records import (
    incident_from_record,
    incident_to_record,
    version_from_record,
    version_to_record,
)
from graph_crm.incidents.version import IncidentVersion
from graph_crm.model.audit import AuditAction, AuditKind, AuditRecord, data_change
from graph_crm.model.values import datetime_to_text
from graph_crm.store.events import EventLease, completed


@dataclass(frozen=True, slots=True)
class IncidentWrite:
    """What one incident write stores, checked: the incident's row, the new version's row
    (if any), the revision the stored incident must have (None: it must not exist), and
    the audit record, all in one transaction."""

    incident_id: str
    row: dict[str, Any]
    version: dict[str, Any] | None
    expected_revision: int | None
    audit: AuditRecord
    #: The incident feed's entry for this write (its ``seq`` is given as it commits).
    change: dict[str, Any]
    #: The event this write processes, completed in the same transaction (see EventLease).
    event: EventLease | None = None

    def processed(self, stored: StoredEvent | None) -> StoredEvent:
        """The event this write processes, marked processed with the new version (LeaseLost
        if the lease is no longer the writer's)."""
        if self.event is None or self.version is None:
            raise InvalidInput("only a write of a new version processes an event", path=("event",))
        return completed(stored, self.event, self.incident_id, int(self.version["number"]))

    def conflict(self) -> Conflict:
        """The refusal of an open whose id is taken or whose source has an incident that
        is not resolved (the backends' unique constraints)."""
        return Conflict(
            f"incident {self.incident_id!r} exists, or {self.row['source']!r} has an "
            "incident that is not resolved",
            path=("source",),
        )


def _json(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def incident_row(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "source": incident.source,
        "status": incident.status.value,
        "activeSource": incident.source if incident.active else None,
        "openedAt": datetime_to_text(incident.opened_at),
        "revision": incident.revision,
        "record": _json(incident_to_record(incident)),
    }


def version_row(incident_id: str, version: IncidentVersion) -> dict[str, Any]:
    return {
        "incidentId": incident_id,
        "number": version.number,
        "createdAt": datetime_to_text(version.created_at),
        "record": _json(version_to_record(version)),
    }


def incident_from_text(text: str) -> Incident:
    return incident_from_record(json.loads(text))


def version_from_text(text: str) -> IncidentVersion:
    return version_from_record(json.loads(text))


def _audit(
    action: AuditAction, incident: Incident, actor: str, at: datetime, reason: str
) -> AuditRecord:
    return data_change(
        actor,
        action,
        AuditKind.INCIDENT,
        None,
        [incident.id],
        {"revision": incident.revision, "version": incident.version},
        at=at,
        after={
            "source": incident.source,
            "status": incident.status.value,
            "owner": incident.owner,
            "why": reason,
        },
    )


def _change(incident: Incident, version: IncidentVersion | None, reason: str) -> dict[str, Any]:
    number = None if version is None else version.number
    return change_row(incident.id, incident.revision, number, reason, incident.updated_at)


def _checked(incident: Incident, version: IncidentVersion | None) -> None:
    if not isinstance(incident, Incident):
        raise InvalidInput("an incident must be an Incident", path=("incident",))
    check_incident_id(incident.id)
    for name, moment in (("openedAt", incident.opened_at), ("updatedAt", incident.updated_at)):
        if moment.utcoffset() is None:
            raise InvalidInput(f"{name} must be a timezone-aware datetime", path=(name,))
    if version is not None and version.number != incident.version:
        raise InvalidInput(
            f"version {version.number} is not the incident's latest ({incident.version})",
            path=("version",),
        )


def plan_open(
    incident: Incident, version: IncidentVersion, actor: str, event: EventLease | None = None
) -> IncidentWrite:
    """Storing a new incident with its first version (completing ``event``, if given)."""
    _checked(incident, version)
    if incident.revision != 1 or version.number != 1:
        raise InvalidInput("a new incident is at revision 1 with version 1", path=("revision",))
    return IncidentWrite(
        incident.id,
        incident_row(incident),
        version_row(incident.id, version),
        None,
        _audit(AuditAction.INCIDENT_OPEN, incident, actor, incident.updated_at, "opened"),
        _change(incident, version, "opened"),
        event,
    )


def plan_change(
    incident: Incident,
    version: IncidentVersion | None,
    actor: str,
    reason: str,
    event: EventLease | None = None,
) -> IncidentWrite:
    """Storing ``incident`` over the revision before it (and ``version``, if given)."""
    _checked(incident, version)
    if incident.revision < 2:
        raise InvalidInput("a changed incident is past revision 1", path=("revision",))
    return IncidentWrite(
        incident.id,
        incident_row(incident),
        None if version is None else version_row(incident.id, version),
        incident.revision - 1,
        _audit(AuditAction.INCIDENT_CHANGE, incident, actor, incident.updated_at, reason),
        _change(incident, version, reason),
        event,
    )
