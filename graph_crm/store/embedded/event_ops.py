"""Events on the embedded store: rows of ``events``, beside the graph.

Claims and changes run on the one writer in ``BEGIN IMMEDIATE`` transactions, which
also hold off the writers of other processes on the same file: two workers cannot
claim one event. An event is committed, its WAL synced to disk, before ``accept_event``
returns, so the 202 the API answers next is never for an event a crash loses.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from graph_crm.incidents.events import LeaseLost, StoredEvent
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.events import CLAIMABLE, event_row
from graph_crm.store.session import EventChange

_UPDATE: Final = "UPDATE events SET status = :status, due = :due, record = :record WHERE key = :key"


def find_event(conn: sqlite3.Connection, key: str) -> StoredEvent | None:
    row = conn.execute("SELECT record FROM events WHERE key = ?", (key,)).fetchone()
    return None if row is None else StoredEvent.from_text(row[0])


def save_event(conn: sqlite3.Connection, event: StoredEvent) -> None:
    conn.execute(_UPDATE, event_row(event))


class EventOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def accept_event(self, event: StoredEvent) -> tuple[StoredEvent, bool]:
        def run() -> tuple[StoredEvent, bool]:
            # FULL for this commit only: the WAL is synced before the 202 (NORMAL, the
            # store's setting, survives a process crash but may lose it to a power loss)
            self.db.conn.execute("PRAGMA synchronous = FULL")
            try:
                return accept(self.db)
            finally:
                self.db.conn.execute("PRAGMA synchronous = NORMAL")

        def accept(db: EmbeddedDatabase) -> tuple[StoredEvent, bool]:
            with db.write(graph=False) as conn:
                added = conn.execute(
                    "INSERT INTO events (key, integration_id, event_id, status, due, record) "
                    "VALUES (:key, :integrationId, :eventId, :status, :due, :record) "
                    "ON CONFLICT (key) DO NOTHING",
                    event_row(event),
                ).rowcount
                stored = find_event(conn, event.key)
            assert stored is not None  # inserted, or there before
            return stored, bool(added)

        return await self.db.call(run)

    async def stored_event(self, key: str) -> StoredEvent | None:
        return await self.db.read(lambda: find_event(self.db.conn, key), quick=True)

    async def any_due(self, now: float) -> bool:
        def run() -> bool:
            row = self.db.conn.execute(
                "SELECT 1 FROM events WHERE status IN (?, ?) AND due <= ? LIMIT 1",
                (*CLAIMABLE, now),
            ).fetchone()
            return row is not None

        return await self.db.read(run, quick=True)

    async def claim_event(self, now: float, claim: EventChange) -> StoredEvent | None:
        def run() -> StoredEvent | None:
            with self.db.write(graph=False) as conn:
                row = conn.execute(
                    "SELECT record FROM events WHERE status IN (?, ?) AND due <= ? "
                    "ORDER BY due, key LIMIT 1",
                    (*CLAIMABLE, now),
                ).fetchone()
                if row is None:
                    return None
                claimed = claim(StoredEvent.from_text(row[0]))
                save_event(conn, claimed)
                return claimed

        return await self.db.call(run)

    async def change_event(self, key: str, change: EventChange) -> StoredEvent:
        def run() -> StoredEvent:
            with self.db.write(graph=False) as conn:
                stored = find_event(conn, key)
                if stored is None:
                    raise LeaseLost(f"there is no event {key!r}", path=("event",))
                changed = change(stored)
                save_event(conn, changed)
                return changed

        return await self.db.call(run)
