"""Keeping the embedded store's networkx mirror at the generation of SQLite.

The mirror is shared by every thread under a :class:`MirrorLock`: a call that
traverses holds it for reading until it ends; a graph write holds it exclusively from
its COMMIT to the end of its call, so it updates the mirror in place while nobody reads
it, and a reader never sees SQLite and the mirror at different generations. Every write
transaction that may change the graph bumps ``meta.generation``; a mirror built at
another generation (another process wrote, or updating the mirror failed) is rebuilt by
the next call that traverses, exclusively, from that call's snapshot. A rebuild is not
bounded by the caller's time budget (every later traversal needs it; a budget shorter
than a rebuild would otherwise make traversal impossible), only stopped on purpose.
Discarding and rebuilding are logged (:mod:`graph_crm.store.logs`).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable

from graph_crm.store.embedded.calls import CallState
from graph_crm.store.embedded.mirror import Mirror
from graph_crm.store.embedded.mirror_lock import MirrorLock
from graph_crm.store.embedded.workers import Call
from graph_crm.store.logs import embedded_log, log_event


class MirrorKeeper:
    """The mirror of one store, its lock, and each call's hold on it (in ``state``)."""

    def __init__(self, state: CallState) -> None:
        self.state = state
        self.mirror: Mirror | None = None
        self.lock = MirrorLock()
        self.rebuilds_total = 0

    def ensure(self, call: Call, conn: sqlite3.Connection, snapshot: Callable[[], int]) -> Mirror:
        """The mirror at the call's snapshot, held for reading until the call ends.

        ``snapshot()`` restarts the call's snapshot and returns its generation: it runs
        once the mirror is held, so SQLite and the mirror show the same generation.
        """
        state, lock = self.state, self.lock
        if state.mirror_hold is not None and self.mirror is not None:
            return self.mirror
        lock.acquire_read(call.deadline)
        state.mirror_hold = "read"
        generation = snapshot()
        mirror = self.mirror
        if mirror is not None and mirror.generation == generation:
            return mirror
        lock.release_read()
        state.mirror_hold = None
        lock.acquire_write(call.deadline)
        state.mirror_hold = "write"
        generation = snapshot()
        if self.mirror is None or self.mirror.generation != generation:
            self.mirror = None  # let the old graph go before the new one is built
            started = time.perf_counter()
            with call.unbudgeted():
                self.mirror = Mirror.load(conn, generation)
            self.rebuilds_total += 1
            log_event(
                embedded_log,
                logging.INFO,
                "mirror_rebuilt",
                generation=generation,
                entities=self.mirror.entities,
                relations=self.mirror.edges,
                ms=round((time.perf_counter() - started) * 1000, 1),
            )
        # Still held exclusively: this call goes on with the mirror it built.
        return self.mirror

    def hold_exclusively(self, call: Call) -> None:
        """Hold the mirror for writing until the call ends (a graph write, at COMMIT)."""
        state = self.state
        if state.mirror_hold == "write":
            return
        if state.mirror_hold is not None:
            raise AssertionError("a call holding the mirror for reading cannot write it")
        self.lock.acquire_write(call.deadline)
        state.mirror_hold = "write"

    def release(self) -> None:
        """Let go of the call's hold, if any (as each call ends)."""
        hold, self.state.mirror_hold = self.state.mirror_hold, None
        if hold == "read":
            self.lock.release_read()
        elif hold == "write":
            self.lock.release_write()

    def after_write(self, generation: int, update: Callable[[Mirror], None]) -> None:
        """Apply a write committed at ``generation`` to the mirror, or drop the mirror if
        it was not one generation behind, or if updating it fails."""
        mirror = self.mirror
        if mirror is None:
            return
        if generation != mirror.generation + 1:
            self.mirror = None
            log_event(
                embedded_log,
                logging.INFO,
                "mirror_discarded",
                reason="another writer moved the generation",
                generation=generation,
                mirror_generation=mirror.generation,
            )
            return
        try:
            update(mirror)
            mirror.generation = generation
        except Exception as error:
            # The commit stands; a mirror we cannot trust is rebuilt from SQLite.
            self.mirror = None
            log_event(
                embedded_log,
                logging.WARNING,
                "mirror_discarded",
                reason="updating it after a commit failed",
                generation=generation,
                error=f"{type(error).__name__}: {error}"[:300],
            )

    def discard(self) -> None:
        """Drop the mirror (a bulk write): the next traversal rebuilds it."""
        self.mirror = None

    def runtime_state(self) -> dict[str, float]:
        mirror = self.mirror
        return {
            "mirror_entities": float(mirror.entities if mirror is not None else 0),
            "mirror_relations": float(mirror.edges if mirror is not None else 0),
            "mirror_rebuilds_total": float(self.rebuilds_total),
        }
