"""Events posted by integrations (``POST /events``), as they are checked and stored (pure).

An event is stored once per (integration, id): ``accepted`` when stored, ``processing``
while a worker holds its lease, then ``processed`` (with the incident and version it
made) or ``failed`` (with the error). A worker whose lease ran out may be overtaken by
another: the store only completes an event for the worker holding its lease.

>>> event = parse_event({"id": "evt-1", "type": "disruption",
...     "source": {"type": "Warehouse", "key": "RTM-02"}, "delayDays": 6})
>>> event.event_id, event.source, event.delay_days, event.starts_at, event.note
('evt-1', 'Warehouse:RTM-02', 6.0, None, '')
>>> parse_event({"id": "bad id", "type": "disruption"})
Traceback (most recent call last):
...
graph_crm.errors.InvalidInput: INVALID_INPUT: an event id is 1-128 letters...(at id)
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final

from graph_crm.errors import GraphCrmError, InvalidInput, Issue, PathPart
from graph_crm.impact.report_inputs import check_delay, parse_as_of
from graph_crm.incidents.text import MAX_NOTE_LENGTH, checked_text
from graph_crm.model.names import check_entity_type_name
from graph_crm.model.records import global_id, parse_global_id

EVENT_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
DISRUPTION: Final = "disruption"
_FIELDS: Final = frozenset({"id", "type", "source", "delayDays", "startsAt", "note"})
#: Attempts after which an event that keeps failing for a passing reason is given up.
MAX_ATTEMPTS: Final = 8
#: The longest wait before an event is tried again (seconds).
MAX_RETRY_DELAY: Final = 300.0


class EventStatus(StrEnum):
    ACCEPTED = "accepted"
    PROCESSING = "processing"
    PROCESSED = "processed"
    FAILED = "failed"


class LeaseLost(GraphCrmError):
    """A worker's lease on an event ran out and another worker took it: what the first
    one was writing is rolled back (the other one processes the event)."""

    code = "LEASE_LOST"


@dataclass(frozen=True, slots=True)
class DisruptionEvent:
    """A checked ``disruption`` event: the source delayed ``delay_days`` from
    ``starts_at`` (None: when it is processed)."""

    event_id: str
    source_type: str
    source_key: str
    delay_days: float
    starts_at: str | None
    note: str

    @property
    def source(self) -> str:
        return global_id(self.source_type, self.source_key)

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.event_id,
            "type": DISRUPTION,
            "source": {"type": self.source_type, "key": self.source_key},
            "delayDays": self.delay_days,
            "startsAt": self.starts_at,
            "note": self.note,
        }

    def digest(self) -> str:
        """A hash of what the event says: the same id sent with other content is refused."""
        text = json.dumps(self.payload(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_event_id(value: object) -> str:
    if not isinstance(value, str) or EVENT_ID_PATTERN.fullmatch(value) is None:
        raise InvalidInput(
            "an event id is 1-128 letters, digits or . _ : -, starting with a letter or "
            f"digit, not {str(value)[:40]!r}",
            path=("id",),
        )
    return value


def _at(error: InvalidInput, *path: PathPart) -> Issue:
    return Issue(error.code, error.message, path)


def parse_event(document: object) -> DisruptionEvent:
    """``document`` (a decoded JSON body) checked as a ``disruption`` event. Every problem
    is an :class:`~graph_crm.errors.Issue` of one InvalidInput, at its path."""
    if not isinstance(document, dict):
        raise InvalidInput("an event is a JSON object", path=())
    issues: list[Issue] = []
    for name in sorted(set(document) - _FIELDS)[:5]:
        issues.append(Issue("INVALID_INPUT", f"unknown field {str(name)[:40]!r}", (str(name),)))
    event_id = ""
    try:
        event_id = check_event_id(document.get("id"))
    except InvalidInput as error:
        issues.append(_at(error, "id"))
    if document.get("type") != DISRUPTION:
        issues.append(
            Issue("INVALID_INPUT", f"type must be {DISRUPTION!r} (the one event type)", ("type",))
        )
    source = document.get("source")
    source_type = source_key = ""
    if not isinstance(source, dict) or set(source) != {"type", "key"}:
        issues.append(Issue("INVALID_INPUT", "source is {type, key}", ("source",)))
    else:
        try:
            source_type = check_entity_type_name(source["type"])
        except InvalidInput as error:
            issues.append(_at(error, "source", "type"))
        if not isinstance(source["key"], str):
            issues.append(Issue("INVALID_INPUT", "source.key is a string", ("source", "key")))
        elif source_type:
            try:
                source_key = parse_global_id(
                    global_id(source_type, source["key"]), ("source", "key")
                )[1]
            except InvalidInput as error:
                issues.append(_at(error, "source", "key"))
    delay = 0.0
    raw_delay = document.get("delayDays")
    if isinstance(raw_delay, str):  # a number in JSON, not a string of one
        issues.append(Issue("INVALID_INPUT", "delayDays is a number", ("delayDays",)))
    else:
        try:
            delay = check_delay(raw_delay)
        except InvalidInput as error:
            issues.append(_at(error, "delayDays"))
    starts_at = document.get("startsAt")
    if starts_at is not None:
        try:
            if not isinstance(starts_at, str):
                raise InvalidInput("startsAt is a date-time with its zone")
            parse_as_of(starts_at)
        except InvalidInput as error:
            message = error.message.replace("asOf", "startsAt")
            issues.append(Issue(error.code, message, ("startsAt",)))
    note = ""
    try:
        note = checked_text(document.get("note", ""), "note", MAX_NOTE_LENGTH, empty=True)
    except InvalidInput as error:
        issues.append(_at(error, "note"))
    if issues:
        first = issues[0]
        raise InvalidInput(first.message, path=first.path, issues=issues)
    return DisruptionEvent(event_id, source_type, source_key, delay, starts_at, note)


def event_key(integration_id: str, event_id: str) -> str:
    """The store's key of an event: unique per integration."""
    return f"{integration_id}/{event_id}"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event as the store keeps it. ``due`` (seconds since the epoch): when it may be
    claimed; for ``processing``, when its lease runs out."""

    integration_id: str
    event_id: str
    payload: dict[str, Any]
    digest: str
    status: EventStatus
    received_at: datetime
    due: float
    attempts: int = 0
    lease_owner: str | None = None
    incident_id: str | None = None
    version: int | None = None
    error: dict[str, Any] | None = None
    finished_at: datetime | None = None
    #: Asked for again while a worker held it: once processed, it is due again at once
    #: (a re-evaluation whose data changed after its worker read it).
    rerun: bool = False

    @property
    def key(self) -> str:
        return event_key(self.integration_id, self.event_id)

    @property
    def claimable(self) -> bool:
        return self.status in (EventStatus.ACCEPTED, EventStatus.PROCESSING)

    def claimed(self, owner: str, now: float, lease_seconds: float) -> StoredEvent:
        """Leased to ``owner``; or, if each of its MAX_ATTEMPTS leases ran out without a
        word from its worker (a poison event that kills them), failed for good."""
        if self.status is EventStatus.PROCESSING and self.attempts >= MAX_ATTEMPTS:
            error = {
                "code": "ABANDONED",
                "message": f"its worker stopped during each of {self.attempts} attempts",
                "path": [],
            }
            return self.failed(error, datetime.fromtimestamp(now, UTC), retry=False)
        return replace(
            self,
            status=EventStatus.PROCESSING,
            lease_owner=owner,
            due=now + lease_seconds,
            attempts=self.attempts + 1,
        )

    def due_again(self, at: datetime) -> StoredEvent:
        """Waiting again from ``at``, with its attempts and error cleared (a re-evaluation
        asked for again)."""
        return replace(
            self,
            status=EventStatus.ACCEPTED,
            due=at.timestamp(),
            attempts=0,
            error=None,
            finished_at=None,
            lease_owner=None,
            rerun=False,
        )

    def processed(self, incident_id: str, version: int, at: datetime) -> StoredEvent:
        if self.rerun:
            return replace(self.due_again(at), incident_id=incident_id, version=version)
        return replace(
            self,
            status=EventStatus.PROCESSED,
            incident_id=incident_id,
            version=version,
            error=None,
            finished_at=at,
            lease_owner=None,
        )

    def failed(self, error: dict[str, Any], at: datetime, *, retry: bool) -> StoredEvent:
        """Failed once: tried again later (``retry``, while attempts remain), else given up."""
        if retry and self.attempts < MAX_ATTEMPTS:
            wait = min(2.0**self.attempts, MAX_RETRY_DELAY)
            return replace(
                self,
                status=EventStatus.ACCEPTED,
                due=at.timestamp() + wait,
                error=error,
                lease_owner=None,
            )
        return replace(
            self, status=EventStatus.FAILED, error=error, finished_at=at, lease_owner=None
        )

    def to_record(self) -> dict[str, Any]:
        return {
            "integrationId": self.integration_id,
            "eventId": self.event_id,
            "payload": self.payload,
            "digest": self.digest,
            "status": self.status.value,
            "receivedAt": self.received_at.isoformat(),
            "due": self.due,
            "attempts": self.attempts,
            "leaseOwner": self.lease_owner,
            "incidentId": self.incident_id,
            "version": self.version,
            "error": self.error,
            "finishedAt": None if self.finished_at is None else self.finished_at.isoformat(),
            "rerun": self.rerun,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> StoredEvent:
        finished = record.get("finishedAt")
        return cls(
            integration_id=record["integrationId"],
            event_id=record["eventId"],
            payload=record["payload"],
            digest=record["digest"],
            status=EventStatus(record["status"]),
            received_at=datetime.fromisoformat(record["receivedAt"]),
            due=float(record["due"]),
            attempts=int(record["attempts"]),
            lease_owner=record.get("leaseOwner"),
            incident_id=record.get("incidentId"),
            version=record.get("version"),
            error=record.get("error"),
            finished_at=None if finished is None else datetime.fromisoformat(finished),
            rerun=bool(record.get("rerun", False)),
        )

    def to_text(self) -> str:
        return json.dumps(self.to_record(), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_text(cls, text: str) -> StoredEvent:
        return cls.from_record(json.loads(text))


def accepted_event(
    integration_id: str, event: DisruptionEvent, received_at: datetime
) -> StoredEvent:
    return StoredEvent(
        integration_id=integration_id,
        event_id=event.event_id,
        payload=event.payload(),
        digest=event.digest(),
        status=EventStatus.ACCEPTED,
        received_at=received_at,
        due=received_at.timestamp(),
    )
