"""Integrations and their events as every backend stores them, written once (see
:mod:`graph_crm.incidents.events` and :mod:`graph_crm.auth.integrations`).

Each backend keeps an event as one row or node keyed by (integration, event id), with
its status, when it is ``due`` (claimable, or its lease's end) and its whole record as
JSON text. A claim and a completion read the stored event under the backend's write
lock, change it here, and write it back: what they decide is decided once, below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph_crm.auth.integrations import Integration
from graph_crm.errors import InvalidInput
from graph_crm.incidents.events import EventStatus, LeaseLost, StoredEvent
from graph_crm.store.keys import checked_at

#: The statuses a worker may claim (``processing`` only once its lease ran out).
CLAIMABLE = (EventStatus.ACCEPTED.value, EventStatus.PROCESSING.value)


@dataclass(frozen=True, slots=True)
class EventLease:
    """A worker's lease on the event ``key``, as it completes or fails it (at ``at``): an
    incident write carrying it marks the event processed in the same transaction, only if
    ``owner`` still holds the lease (else LeaseLost, and the write is rolled back)."""

    key: str
    owner: str
    at: datetime


def integration_record(integration: Integration) -> dict[str, Any]:
    if not isinstance(integration, Integration):
        raise InvalidInput("an integration must be an Integration", path=("integration",))
    checked_at(integration.created_at, "createdAt")
    return integration.to_record()


def event_row(event: StoredEvent) -> dict[str, Any]:
    """The columns (SQLite) or properties (Neo4j) of a stored event."""
    return {
        "key": event.key,
        "integrationId": event.integration_id,
        "eventId": event.event_id,
        "status": event.status.value,
        "due": event.due,
        "record": event.to_text(),
    }


def failed(
    lease: EventLease, error: dict[str, Any], *, retry: bool
) -> Callable[[StoredEvent], StoredEvent]:
    """The change that records a failure of the leased event (see StoredEvent.failed)."""
    return lambda stored: held(stored, lease.key, lease.owner).failed(error, lease.at, retry=retry)


def held(stored: StoredEvent | None, key: str, owner: str) -> StoredEvent:
    """``stored`` if ``owner`` holds its lease, else LeaseLost."""
    if stored is None or stored.status != EventStatus.PROCESSING or stored.lease_owner != owner:
        raise LeaseLost(f"the lease on event {key!r} is no longer {owner!r}'s", path=("event",))
    return stored


def completed(
    stored: StoredEvent | None, lease: EventLease, incident_id: str, version: int
) -> StoredEvent:
    return held(stored, lease.key, lease.owner).processed(incident_id, version, lease.at)
