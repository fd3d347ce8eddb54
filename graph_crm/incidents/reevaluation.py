"""Re-evaluations of open incidents, queued as stored events (pure).

A write that can change an open incident's report (see
:mod:`graph_crm.impact.footprint`) asks for the incident to be evaluated again. The ask
is an event in the store's events, so the workers' leases process it exactly once,
after a crash too. There is one such event per incident (its id is the incident's), so
asks coalesce: while it waits, another ask only adds what changed; while a worker holds
it, the ask marks it to run again once done (the worker may have read the graph before
the write); once done, the next ask makes it due again.

>>> event = reevaluation_event("inc-0123456789abcdef", ["Shipment"], NOW)
>>> event.key, event.payload["changes"]
('0000000000000000/reevaluate-inc-0123456789abcdef', ['Shipment'])
>>> asked = asked_again(event, ["ROUTED_VIA", "Shipment"], NOW)
>>> asked.status.value, asked.payload["changes"]
('accepted', ['ROUTED_VIA', 'Shipment'])
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Final

from graph_crm.incidents.events import EventStatus, StoredEvent

#: The integration id re-evaluations are stored under: no integration has it (theirs
#: are random), so no ``POST /events`` can send or read one.
INTERNAL_INTEGRATION: Final = "0" * 16
REEVALUATE: Final = "reevaluate"
#: The most change names one re-evaluation keeps (the first ones, sorted).
MAX_CHANGES: Final = 20
NOW: Final = datetime(2026, 3, 10, 12, tzinfo=UTC)  # for the examples


def is_reevaluation(event: StoredEvent) -> bool:
    return event.integration_id == INTERNAL_INTEGRATION and event.payload.get("type") == REEVALUATE


def _changes(*names: Iterable[str]) -> list[str]:
    return sorted(set().union(*names))[:MAX_CHANGES]


def reevaluation_event(incident_id: str, changes: Iterable[str], at: datetime) -> StoredEvent:
    """The ask to evaluate ``incident_id`` again, due at ``at``."""
    payload: dict[str, Any] = {
        "type": REEVALUATE,
        "incidentId": incident_id,
        "changes": _changes(changes),
    }
    return StoredEvent(
        integration_id=INTERNAL_INTEGRATION,
        event_id=f"{REEVALUATE}-{incident_id}",
        payload=payload,
        digest=hashlib.sha256(incident_id.encode()).hexdigest(),
        status=EventStatus.ACCEPTED,
        received_at=at,
        due=at.timestamp(),
    )


def asked_again(stored: StoredEvent, changes: Iterable[str], at: datetime) -> StoredEvent:
    """``stored`` (this incident's re-evaluation) asked for again at ``at``: still
    waiting, it keeps waiting (coalesced); held by a worker, it runs again once done;
    done or failed, it is due again."""
    if stored.status is EventStatus.ACCEPTED:
        merged = _changes(stored.payload.get("changes", ()), changes)
        return replace(stored, payload={**stored.payload, "changes": merged})
    if stored.status is EventStatus.PROCESSING:
        merged = _changes(stored.payload.get("changes", ()), changes)
        return replace(stored, payload={**stored.payload, "changes": merged}, rerun=True)
    return replace(stored.due_again(at), payload={**stored.payload, "changes": _changes(changes)})
