"""Events from integrations: accepted (``POST /events``), then processed by a worker
that holds a lease on each in the store.

:func:`receive_event` checks an event and stores it durably before the API answers 202;
the same (integration, id) again returns the stored event and stores nothing. A worker
(:func:`process_next`, looped by :func:`run_processor` in the server's lifespan) claims
the next due event with a lease and reports the disruption (or, for the store's own
re-evaluation events, evaluates an open incident again: services/reevaluation.py): the
incident's new version and the event's completion are one transaction, and only the
lease's holder can commit it, so each event is processed exactly once however many
workers run or crash.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph_crm.auth.integrations import Integration
from graph_crm.auth.keys import Forbidden
from graph_crm.clock import utc_now
from graph_crm.errors import Conflict, GraphCrmError, StoreUnavailable, TimedOut
from graph_crm.incidents.events import (
    EventStatus,
    LeaseLost,
    StoredEvent,
    accepted_event,
    parse_event,
)
from graph_crm.incidents.reevaluation import is_reevaluation
from graph_crm.services.incidents import report_disruption
from graph_crm.services.reevaluation import reevaluate
from graph_crm.store.base import GraphStore
from graph_crm.store.events import EventLease

logger = logging.getLogger("graph_crm.events")

#: Failures that may pass: the event is tried again after a backoff.
_PASSING = (StoreUnavailable, TimedOut, Conflict)


class EventIdReused(Conflict):
    """An event id the integration sent before, now with other content (HTTP 409)."""

    code = "EVENT_ID_REUSED"


async def receive_event(
    store: GraphStore, integration: Integration, document: object
) -> tuple[StoredEvent, bool]:
    """Check ``document`` and store it for ``integration``, durably; the stored event and
    whether it is new. InvalidInput (with every issue) if it is not a valid event,
    Forbidden if the integration may not post its type, EventIdReused if its id came
    before with other content: nothing stored."""
    event = parse_event(document)
    if "disruption" not in integration.event_types:
        raise Forbidden(
            f"integration {integration.id} may not post 'disruption' events", path=("type",)
        )
    stored, new = await store.accept_event(accepted_event(integration.id, event, utc_now()))
    if not new and stored.digest != event.digest():
        raise EventIdReused(
            f"event {event.event_id!r} was received before with other content", path=("id",)
        )
    return stored, new


def new_worker_id() -> str:
    return f"worker-{secrets.token_hex(6)}"


@dataclass(frozen=True, slots=True)
class ProcessorSettings:
    owner: str
    lease_seconds: float = 30.0
    poll_seconds: float = 0.5
    #: Seconds to wait between claiming an event and processing it (crash tests only).
    hold_seconds: float = 0.0


async def process_next(
    store: GraphStore, settings: ProcessorSettings, *, as_of: datetime | None = None
) -> StoredEvent | None:
    """Claim the next due event and process it; the event as stored after, or None if
    there was none due (or the lease was lost to another worker meanwhile). The reports
    are evaluated as of now, or ``as_of`` (the demo's data describes a fixed moment);
    leases always run on the clock."""
    claimed = await store.claim_event(
        settings.owner, now=utc_now(), lease_seconds=settings.lease_seconds
    )
    if claimed is None or claimed.status is not EventStatus.PROCESSING:
        return claimed  # none due, or one given up as it was claimed
    if settings.hold_seconds:
        await asyncio.sleep(settings.hold_seconds)
    payload: dict[str, Any] = claimed.payload
    lease = EventLease(claimed.key, settings.owner, utc_now())
    try:
        if is_reevaluation(claimed):
            await reevaluate(
                store,
                payload["incidentId"],
                payload.get("changes", ()),
                now=as_of or utc_now(),
                lease=lease,
            )
        else:
            await _report(store, claimed, lease, as_of or utc_now())
    except LeaseLost:
        logger.info("event %s: lease lost to another worker", claimed.key)
        return None
    except GraphCrmError as error:
        retry = isinstance(error, _PASSING)
        lease = EventLease(claimed.key, settings.owner, utc_now())
        return await store.fail_event(lease, error.to_dict(), retry=retry)
    except Exception:
        logger.exception("event %s failed", claimed.key)
        lease = EventLease(claimed.key, settings.owner, utc_now())
        error_body = {"code": "INTERNAL", "message": "processing failed", "path": []}
        return await store.fail_event(lease, error_body, retry=True)
    return await store.stored_event(claimed.integration_id, claimed.event_id)


async def _report(
    store: GraphStore, claimed: StoredEvent, lease: EventLease, now: datetime
) -> None:
    integration = await store.integration(claimed.integration_id)
    actor = f"integration:{claimed.integration_id}" if integration is None else integration.actor
    payload: dict[str, Any] = claimed.payload
    await report_disruption(
        store,
        source_type=payload["source"]["type"],
        source_key=payload["source"]["key"],
        delay_days=payload["delayDays"],
        starts_at=payload.get("startsAt"),
        note=payload.get("note", ""),
        now=now,
        actor=actor,
        event=lease,
    )


async def run_processor(
    store: GraphStore,
    settings: ProcessorSettings,
    stop: asyncio.Event,
    wake: asyncio.Event | None = None,
    on_processed: Callable[[], None] | None = None,
) -> None:
    """Process events until ``stop`` is set: at once while some are due, else when
    ``wake`` is set (this process accepted an event) or every ``poll_seconds`` (events
    another process accepted, retries coming due). ``on_processed`` is called after each
    event processed (the API wakes its subscriptions' reader of the change feed). A store
    that is unavailable is said once (a warning, no traceback: an outage is not a bug) and
    tried again at each poll; its return is said too. Any other failure is logged with its
    traceback."""
    down = False
    while not stop.is_set():
        if wake is not None:
            wake.clear()  # before claiming: an event accepted from here on wakes the next wait
        processed = None
        try:
            processed = await process_next(store, settings)
        except (StoreUnavailable, TimedOut) as error:
            if not down:
                logger.warning(
                    "event processor: the store is unavailable (%s); trying again every %g s",
                    error.message,
                    settings.poll_seconds,
                )
            down = True
        except Exception:
            logger.exception("event processor: the store failed; trying again")
        else:
            if down:
                logger.warning("event processor: the store answers again")
            down = False
            if processed is not None and on_processed is not None:
                on_processed()
        if processed is None:
            await _idle(stop, wake, settings.poll_seconds)


async def _idle(stop: asyncio.Event, wake: asyncio.Event | None, seconds: float) -> None:
    """Wait until ``stop`` or ``wake`` is set, or ``seconds`` have passed."""
    waits = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waits.append(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
