"""This process's reader of the incidents' change feed, for its ``incidentChanged``
subscribers (:mod:`graph_crm.api.subscriptions_api`).

One hub per app (so per worker process). It runs only while someone subscribes: started
by the first subscriber, stopped by the last one and by the app's lifespan. Each round
it reads the feed once from the earliest subscriber's position
(``store.incident_changes(after=...)``), loads each changed incident, and the version the
change stored, once for all subscribers, and puts the change on the queue of every
subscriber that has not seen it and whose filter passes it. The feed is in the store, so
a change another worker stored reaches this one's subscribers too.

A subscriber's queue is bounded: one that falls that far behind is marked overflowed
and dropped (its connection is closed saying so) rather than held in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final

from graph_crm.incidents.feed import MAX_FEED_READ, IncidentChange
from graph_crm.incidents.feed_filter import FeedFilter
from graph_crm.incidents.incident import Incident, IncidentStatus
from graph_crm.incidents.version import IncidentVersion
from graph_crm.store.base import GraphStore
from graph_crm.store.budget import WorkBudget, work_budget

logger = logging.getLogger("graph_crm.api")

#: How often the hub reads the feed while anyone subscribes.
POLL_SECONDS: Final = 0.15
#: How long stopping waits for a read under way before cancelling it.
STOP_SECONDS: Final = 5.0
#: Notifications one subscriber may have waiting before it is dropped as too slow.
QUEUE_CAPACITY: Final = 256


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One change of the feed, with the incident as it is now, its status right after
    the change, and the version the change stored."""

    change: IncidentChange
    incident: Incident
    status: IncidentStatus
    version: IncidentVersion | None


class FeedSubscriber:
    """One subscription's position in the feed, its filter and its queue."""

    def __init__(self, wanted: FeedFilter, after: int, capacity: int) -> None:
        self.wanted = wanted
        #: The last change this subscriber has been given (or passed over).
        self.after = after
        self.queue: asyncio.Queue[FeedEvent | None] = asyncio.Queue(capacity + 1)
        self.capacity = capacity
        #: Set when it fell ``capacity`` notifications behind: it gets no more.
        self.overflowed = False

    def offer(self, event: FeedEvent) -> None:
        self.after = event.change.seq
        then = event.incident
        if then.status is not event.status:  # the filter's statuses are the change's
            then = replace(then, status=event.status)
        if self.overflowed or not self.wanted.passes(event.change, then):
            return
        if self.queue.qsize() >= self.capacity:
            self.overflowed = True
            self.queue.put_nowait(None)  # wakes the reader, which sees the overflow
            return
        self.queue.put_nowait(event)


class IncidentFeedHub:
    def __init__(
        self,
        store_of: Callable[[], GraphStore],
        budget: WorkBudget,
        *,
        poll_seconds: float = POLL_SECONDS,
        capacity: int = QUEUE_CAPACITY,
    ) -> None:
        self._store_of = store_of
        self._budget = budget
        self.poll_seconds = poll_seconds
        self.capacity = capacity
        #: Changes one round reads: a subscriber that kept up takes them all.
        self.read_limit = min(MAX_FEED_READ, capacity)
        self.subscribers: set[FeedSubscriber] = set()
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    def subscribe(self, wanted: FeedFilter, after: int) -> FeedSubscriber:
        """A subscriber given the changes after ``after`` that ``wanted`` passes; the hub
        is started if it was not running."""
        subscriber = FeedSubscriber(wanted, after, self.capacity)
        self.subscribers.add(subscriber)
        if self._task is None or self._task.done():
            self._stopping = False
            with work_budget(self._budget):  # the task copies the context as it is made
                self._task = asyncio.create_task(self._run())
        self.wake()
        return subscriber

    def unsubscribe(self, subscriber: FeedSubscriber) -> None:
        self.subscribers.discard(subscriber)
        if not self.subscribers:
            self.wake()  # the loop sees nobody left and ends

    def wake(self) -> None:
        """Read the feed now rather than at the next poll (a change was just stored)."""
        self._wake.set()

    async def stop(self) -> None:
        """Stop reading: a read under way is let finish (cancelling a store call halfway
        can leave a driver's connection behind), unless it takes longer than a few
        seconds."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self.wake()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_SECONDS)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while self.subscribers and not self._stopping:
            try:
                await self.read_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the store was away: try again at the next poll
                logger.exception("reading the incidents' change feed failed")
            self._wake.clear()
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def read_once(self) -> None:
        """One round: the changes after the earliest subscriber's position, loaded, then
        offered to everyone at once (so a queue that cannot take a round overflows)."""
        if not self.subscribers:
            return
        store = self._store_of()
        start = min(s.after for s in self.subscribers)
        changes = await store.incident_changes(after=start, limit=self.read_limit)
        events: list[tuple[IncidentChange, FeedEvent | None]] = []
        for change in changes:
            if any(s.after < change.seq for s in self.subscribers):
                events.append((change, await _load(store, change)))
        for change, event in events:
            for subscriber in [s for s in self.subscribers if s.after < change.seq]:
                if event is None:
                    subscriber.after = change.seq
                else:
                    subscriber.offer(event)


async def _load(store: GraphStore, change: IncidentChange) -> FeedEvent | None:
    incident = await store.incident(change.incident_id)
    if incident is None:  # never deleted today; skipped rather than sent half
        return None
    version = None
    if change.version is not None:
        found = await store.incident_versions(change.incident_id, since=change.version - 1)
        version = next((v for v in found if v.number == change.version), None)
    return FeedEvent(
        change=change, incident=incident, status=status_after(incident, change), version=version
    )


def status_after(incident: Incident, change: IncidentChange) -> IncidentStatus:
    """The status ``incident`` (read now) had right after ``change``: a status only
    moves forward (open, acknowledged, resolved), each move timed, so a later
    acknowledgement or resolution is not taken for this change's."""
    status = IncidentStatus.OPEN
    if incident.acknowledged_at is not None and incident.acknowledged_at <= change.at:
        status = IncidentStatus.ACKNOWLEDGED
    if incident.resolved_at is not None and incident.resolved_at <= change.at:
        status = IncidentStatus.RESOLVED
    return status
