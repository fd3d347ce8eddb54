"""Events on Neo4j: ``_GraphCrmEvent`` nodes, unique by key, apart from the graph.

A claim or change reads the event under its write lock (``event_lock.cypher``,
``event_claimable.cypher``) and writes it back in the same transaction, so two workers
cannot both claim one event, nor both complete it.
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from graph_crm.incidents.events import LeaseLost, StoredEvent
from graph_crm.store.events import CLAIMABLE, event_row
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.statements import cypher, fetch
from graph_crm.store.session import EventChange


async def locked_event(tx: AsyncManagedTransaction, key: str) -> StoredEvent | None:
    rows = await fetch(tx, cypher(q.EVENT_LOCK), key=key)
    return StoredEvent.from_text(rows[0]["record"]) if rows else None


async def save_event(tx: AsyncManagedTransaction, event: StoredEvent) -> None:
    await fetch(tx, cypher(q.EVENT_SAVE), event=event_row(event))


class EventOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def accept_event(self, event: StoredEvent) -> tuple[StoredEvent, bool]:
        async def work(tx: AsyncManagedTransaction) -> tuple[StoredEvent, bool]:
            (row,) = await fetch(tx, cypher(q.EVENT_ACCEPT), event=event_row(event))
            return StoredEvent.from_text(row["record"]), bool(row["created"])

        return await self.db.write(work)

    async def stored_event(self, key: str) -> StoredEvent | None:
        rows = await self.db.read(lambda tx: fetch(tx, cypher(q.EVENT_GET), key=key))
        return StoredEvent.from_text(rows[0]["record"]) if rows else None

    async def any_due(self, now: float) -> bool:
        rows = await self.db.read(
            lambda tx: fetch(tx, cypher(q.EVENT_DUE), now=now, statuses=list(CLAIMABLE))
        )
        return bool(rows)

    async def claim_event(self, now: float, claim: EventChange) -> StoredEvent | None:
        async def work(tx: AsyncManagedTransaction) -> StoredEvent | None:
            rows = await fetch(tx, cypher(q.EVENT_CLAIMABLE), now=now, statuses=list(CLAIMABLE))
            if not rows:
                return None
            claimed = claim(StoredEvent.from_text(rows[0]["record"]))
            await save_event(tx, claimed)
            return claimed

        return await self.db.write(work)

    async def change_event(self, key: str, change: EventChange) -> StoredEvent:
        async def work(tx: AsyncManagedTransaction) -> StoredEvent:
            stored = await locked_event(tx, key)
            if stored is None:
                raise LeaseLost(f"there is no event {key!r}", path=("event",))
            changed = change(stored)
            await save_event(tx, changed)
            return changed

        return await self.db.write(work)
