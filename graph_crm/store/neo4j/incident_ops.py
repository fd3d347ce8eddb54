"""Incidents on Neo4j: ``_GraphCrmIncident`` and ``_GraphCrmIncidentVersion`` nodes,
apart from the graph (see :mod:`graph_crm.store.incidents`).

A taken id or active source is caught by its constraint, so two racing opens cannot
both win; an update reads the stored revision under the node's write lock
(``incident_update.cypher``), so two racing updates from one revision cannot both win.
The version and the audit record are written in the same transaction.
"""

from __future__ import annotations

from neo4j import AsyncManagedTransaction

from graph_crm.errors import NotFound, UniqueViolation
from graph_crm.incidents.feed import IncidentChange, change_from_row
from graph_crm.incidents.incident import Incident, stale_revision
from graph_crm.incidents.listing import IncidentQuery
from graph_crm.incidents.version import IncidentVersion
from graph_crm.store.incidents import IncidentWrite, incident_from_text, version_from_text
from graph_crm.store.listing import Rows
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import write_audit
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.event_ops import locked_event, save_event
from graph_crm.store.neo4j.statements import cypher, fetch


class IncidentOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def write_incident(self, write: IncidentWrite) -> None:
        async def work(tx: AsyncManagedTransaction) -> None:
            if write.expected_revision is None:
                await fetch(tx, cypher(q.INCIDENT_ADD), incident=write.row)
            else:
                rows = await fetch(
                    tx,
                    cypher(q.INCIDENT_UPDATE),
                    id=write.incident_id,
                    expected=write.expected_revision,
                    incident=write.row,
                )
                if not rows:
                    raise NotFound(f"there is no incident {write.incident_id!r}", path=("id",))
                stored = rows[0]["stored"]
                if stored != write.expected_revision:
                    raise stale_revision(write.incident_id, stored, write.expected_revision)
            if write.version is not None:
                await fetch(tx, cypher(q.INCIDENT_VERSION_ADD), version=write.version)
            await fetch(tx, cypher(q.INCIDENT_CHANGE_ADD), change=write.change)
            await write_audit(tx, [write.audit])
            if write.event is not None:  # the event this write processes: done in this tx
                await save_event(tx, write.processed(await locked_event(tx, write.event.key)))

        try:
            await self.db.write(work)
        except UniqueViolation:
            raise write.conflict() from None

    async def incident(self, incident_id: str) -> Incident | None:
        rows = await self.db.read(lambda tx: fetch(tx, cypher(q.INCIDENT_GET), id=incident_id))
        return incident_from_text(rows[0]["record"]) if rows else None

    async def active_incident(self, source: str) -> Incident | None:
        rows = await self.db.read(lambda tx: fetch(tx, cypher(q.INCIDENT_ACTIVE), source=source))
        return incident_from_text(rows[0]["record"]) if rows else None

    async def incident_versions(self, incident_id: str, since: int) -> list[IncidentVersion]:
        rows = await self.db.read(
            lambda tx: fetch(tx, cypher(q.INCIDENT_VERSIONS), id=incident_id, since=since)
        )
        return [version_from_text(row["record"]) for row in rows]

    async def incident_changes(self, after: int, limit: int) -> list[IncidentChange]:
        rows = await self.db.read(
            lambda tx: fetch(tx, cypher(q.INCIDENT_CHANGES), after=after, limit=limit)
        )
        return [change_from_row(row) for row in rows]

    async def incident_feed_head(self) -> int:
        rows = await self.db.read(lambda tx: fetch(tx, cypher(q.INCIDENT_FEED_HEAD)))
        return int(rows[0]["seq"]) if rows else 0

    async def incident_rows(self, query: IncidentQuery) -> Rows[IncidentQuery, Incident]:
        filters = {
            "statuses": None if query.statuses is None else list(query.statuses),
            "source": query.source,
        }
        after_at, after_id = query.after or (None, None)

        async def work(tx: AsyncManagedTransaction) -> Rows[IncidentQuery, Incident]:
            (counted,) = await fetch(tx, cypher(q.INCIDENT_COUNT), **filters)
            rows = await fetch(
                tx,
                cypher(q.INCIDENT_LIST),
                **filters,
                afterAt=after_at,
                afterId=after_id,
                limit=query.first + 1,
            )
            incidents = [incident_from_text(row["record"]) for row in rows]
            return Rows(query, int(counted["total"]), incidents)

        return await self.db.read(work)
