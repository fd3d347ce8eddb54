"""The webhooks' worker: fans the incidents' feed out into deliveries, then sends the
deliveries that are due, each under a lease in the store.

:func:`fan_out` reads the feed after the stored cursor and stores one delivery per
(webhook, change) the webhook's filter lets through, moving the cursor in the same
transaction: a crash never loses a delivery nor stores one twice, and of two workers
one moves the cursor, the other reads again. :func:`deliver` POSTs a claimed delivery
through a :data:`Sender` (the API gives an HTTP one: this layer speaks no HTTP) and
records the attempt: delivered on a 2xx answer, else retried after a backoff, then
dead. Deliveries are independent: a webhook's notifications may arrive out of feed
order (each carries its ``seq``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from graph_crm.clock import utc_now
from graph_crm.errors import StoreUnavailable, TimedOut
from graph_crm.incidents.delivery import MAX_EXCERPT, Attempt, Delivery, RetryPolicy
from graph_crm.incidents.fan_out import deliveries_for
from graph_crm.incidents.feed import MAX_FEED_READ
from graph_crm.incidents.notification import notification, notification_body
from graph_crm.incidents.webhook import DELIVERY_HEADER, SIGNATURE_HEADER, sign
from graph_crm.store.base import GraphStore

logger = logging.getLogger("graph_crm.webhooks")
#: What cannot be sent is not tried again: dead at once (an admin may replay it).
_ONCE = RetryPolicy(max_attempts=1)


@dataclass(frozen=True, slots=True)
class SendResult:
    #: The receiver's HTTP status, None if no answer came.
    status_code: int | None
    #: Why no answer came (a timeout, a refused connection), else None.
    error: str | None = None
    excerpt: str = ""


#: POSTs a body to a URL with headers; never raises for what the receiver does.
Sender = Callable[[str, bytes, Mapping[str, str]], Awaitable[SendResult]]


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    owner: str
    policy: RetryPolicy = RetryPolicy()
    lease_seconds: float = 30.0
    poll_seconds: float = 0.5
    #: Deliveries sent at once (one slow receiver does not hold up the others).
    concurrency: int = 8


def new_worker_id() -> str:
    return f"webhooks-{secrets.token_hex(6)}"


async def fan_out(store: GraphStore, *, limit: int = MAX_FEED_READ) -> int:
    """Store the deliveries of the feed's next changes (at most ``limit``) and move the
    cursor past them; how many deliveries were stored (0 if another worker went first)."""
    cursor = await store.fan_out_cursor()
    changes = await store.incident_changes(after=cursor, limit=limit)
    if not changes:
        return 0
    # the webhooks are read after the changes: a change committed after a webhook was
    # made is read with that webhook in the list (one made later missed only older ones)
    webhooks = [webhook for webhook in await store.webhooks() if webhook.active]
    incidents = {}
    if webhooks:
        for incident_id in dict.fromkeys(change.incident_id for change in changes):
            incident = await store.incident(incident_id)
            if incident is not None:
                incidents[incident_id] = incident
    made = deliveries_for(changes, incidents, webhooks, now=utc_now())
    moved = await store.fan_out(expected=cursor, cursor=changes[-1].seq, deliveries=made)
    return len(made) if moved else 0


async def _body(store: GraphStore, delivery: Delivery) -> bytes | None:
    """The notification of ``delivery``'s change, None if its incident is gone."""
    changes = await store.incident_changes(after=delivery.seq - 1, limit=1)
    incident = await store.incident(delivery.incident_id)
    if not changes or incident is None:
        return None
    change = changes[0]
    number = incident.version if change.version is None else change.version
    versions = await store.incident_versions(incident.id, since=number - 1)
    if not versions:
        return None
    return notification_body(notification(delivery.id, change, incident, versions[0]))


def _attempt(delivery: Delivery, result: SendResult, started: float) -> Attempt:
    ok = result.status_code is not None and 200 <= result.status_code < 300
    error = None if ok else (result.error or f"HTTP {result.status_code}")
    return Attempt(
        number=len(delivery.attempts) + 1,
        at=utc_now(),
        duration_ms=round((time.monotonic() - started) * 1000),
        status_code=result.status_code,
        error=error,
        excerpt=result.excerpt[:MAX_EXCERPT],
    )


async def deliver(
    store: GraphStore, settings: DeliverySettings, claimed: Delivery, send: Sender
) -> Delivery | None:
    """POST the claimed delivery and record the attempt; the delivery as stored after,
    None if the lease was lost meanwhile. To a revoked (or deleted) webhook nothing is
    sent: the delivery is dead at once, its one attempt saying why."""
    started = time.monotonic()
    webhook = await store.webhook(claimed.webhook_id)
    body = None if webhook is None or not webhook.active else await _body(store, claimed)
    policy = settings.policy
    if webhook is None or not webhook.active:
        result, policy = SendResult(None, "the webhook was revoked: not sent"), _ONCE
    elif body is None:
        result, policy = SendResult(None, "the incident or its version is gone: not sent"), _ONCE
    else:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "graph-crm-webhooks",
            DELIVERY_HEADER: claimed.id,
            SIGNATURE_HEADER: sign(webhook.secret, int(time.time()), body),
        }
        result = await send(webhook.url, body, headers)
    attempt = _attempt(claimed, result, started)
    recorded = await store.record_attempt(
        claimed.id, settings.owner, attempt, policy, jitter=random.random()
    )
    if recorded is not None and attempt.error is not None:
        logger.info("webhook delivery %s: %s (%s)", claimed.id, attempt.error, recorded.status)
    return recorded


async def deliver_due(store: GraphStore, settings: DeliverySettings, send: Sender) -> int:
    """Claim up to ``settings.concurrency`` due deliveries and send them at once; how
    many were claimed."""
    claimed = []
    for _ in range(settings.concurrency):
        found = await store.claim_delivery(
            settings.owner, now=utc_now(), lease_seconds=settings.lease_seconds
        )
        if found is None:
            break
        claimed.append(found)
    await asyncio.gather(*(deliver(store, settings, each, send) for each in claimed))
    return len(claimed)


async def run_webhooks(
    store: GraphStore, settings: DeliverySettings, send: Sender, stop: asyncio.Event
) -> None:
    """Fan out and deliver until ``stop`` is set: at once while there is work, else every
    ``poll_seconds``. An unavailable store is said once and tried again at each poll."""
    down = False
    while not stop.is_set():
        busy = False
        try:
            busy = bool(await fan_out(store)) | bool(await deliver_due(store, settings, send))
        except (StoreUnavailable, TimedOut) as error:
            if not down:
                logger.warning("webhooks: the store is unavailable (%s)", error.message)
            down = True
        except Exception:
            logger.exception("webhooks: the worker failed; trying again")
        else:
            down = False
        if not busy:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), settings.poll_seconds)
