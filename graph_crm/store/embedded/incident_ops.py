"""Incidents on the embedded store: rows of ``incidents`` and ``incident_versions``,
beside the graph (see :mod:`graph_crm.store.incidents`).

Writes run on the one writer thread in ``BEGIN IMMEDIATE`` transactions, so reading the
stored revision and writing the new one cannot interleave with another write. They
leave the generation alone (``write(graph=False)``): no mirror is rebuilt for them.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Final

from graph_crm.errors import NotFound
from graph_crm.incidents.feed import IncidentChange, change_from_row
from graph_crm.incidents.incident import Incident, stale_revision
from graph_crm.incidents.listing import IncidentQuery
from graph_crm.incidents.version import IncidentVersion
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.event_ops import find_event, save_event
from graph_crm.store.incidents import IncidentWrite, incident_from_text, version_from_text
from graph_crm.store.listing import Rows

_INSERT: Final = (
    "INSERT INTO incidents (id, source, status, active_source, opened_at, revision, record) "
    "VALUES (:id, :source, :status, :activeSource, :openedAt, :revision, :record)"
)
_UPDATE: Final = (
    "UPDATE incidents SET status = :status, active_source = :activeSource, "
    "revision = :revision, record = :record WHERE id = :id"
)
_INSERT_CHANGE: Final = (
    "INSERT INTO incident_changes (incident_id, revision, version, reason, at) "
    "VALUES (:incidentId, :revision, :version, :reason, :at)"
)
_CHANGES: Final = (
    "SELECT seq, incident_id, revision, version, reason, at FROM incident_changes "
    "WHERE seq > ? ORDER BY seq LIMIT ?"
)
_CHANGE_COLUMNS: Final = ("seq", "incidentId", "revision", "version", "reason", "at")
_INSERT_VERSION: Final = (
    "INSERT INTO incident_versions (incident_id, number, created_at, record) "
    "VALUES (:incidentId, :number, :createdAt, :record)"
)


def _store(conn: sqlite3.Connection, write: IncidentWrite) -> None:
    if write.expected_revision is None:
        try:
            conn.execute(_INSERT, write.row)
        except sqlite3.IntegrityError:
            raise write.conflict() from None
    else:
        stored = conn.execute(
            "SELECT revision FROM incidents WHERE id = ?", (write.incident_id,)
        ).fetchone()
        if stored is None:
            raise NotFound(f"there is no incident {write.incident_id!r}", path=("id",))
        if stored[0] != write.expected_revision:
            raise stale_revision(write.incident_id, stored[0], write.expected_revision)
        conn.execute(_UPDATE, write.row)
    if write.version is not None:
        conn.execute(_INSERT_VERSION, write.version)
    conn.execute(_INSERT_CHANGE, write.change)
    insert_audit(conn, [write.audit])
    if write.event is not None:  # the event this write processes: done in this transaction
        save_event(conn, write.processed(find_event(conn, write.event.key)))


class IncidentOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def write_incident(self, write: IncidentWrite) -> None:
        def run() -> None:
            with self.db.write(graph=False) as conn:
                _store(conn, write)

        await self.db.call(run)

    async def incident(self, incident_id: str) -> Incident | None:
        def run() -> Incident | None:
            row = self.db.conn.execute(
                "SELECT record FROM incidents WHERE id = ?", (incident_id,)
            ).fetchone()
            return None if row is None else incident_from_text(row[0])

        return await self.db.read(run, quick=True)

    async def active_incident(self, source: str) -> Incident | None:
        def run() -> Incident | None:
            row = self.db.conn.execute(
                "SELECT record FROM incidents WHERE active_source = ?", (source,)
            ).fetchone()
            return None if row is None else incident_from_text(row[0])

        return await self.db.read(run, quick=True)

    async def incident_versions(self, incident_id: str, since: int) -> list[IncidentVersion]:
        def run() -> list[IncidentVersion]:
            rows = self.db.conn.execute(
                "SELECT record FROM incident_versions WHERE incident_id = ? AND number > ? "
                "ORDER BY number",
                (incident_id, since),
            )
            return [version_from_text(text) for (text,) in rows]

        return await self.db.read(run)

    async def incident_changes(self, after: int, limit: int) -> list[IncidentChange]:
        def run() -> list[IncidentChange]:
            rows = self.db.conn.execute(_CHANGES, (after, limit))
            return [change_from_row(dict(zip(_CHANGE_COLUMNS, row, strict=True))) for row in rows]

        return await self.db.read(run, quick=True)

    async def incident_feed_head(self) -> int:
        def run() -> int:
            row = self.db.conn.execute("SELECT max(seq) FROM incident_changes").fetchone()
            return int(row[0] or 0)

        return await self.db.read(run, quick=True)

    async def incident_rows(self, query: IncidentQuery) -> Rows[IncidentQuery, Incident]:
        def run() -> Rows[IncidentQuery, Incident]:
            where, params = ["1 = 1"], list[Any]()
            if query.statuses is not None:
                where.append(f"status IN ({', '.join('?' for _ in query.statuses)})")
                params.extend(query.statuses)
            if query.source is not None:
                where.append("source = ?")
                params.append(query.source)
            condition = " AND ".join(where)
            (total,) = self.db.conn.execute(
                f"SELECT count(*) FROM incidents WHERE {condition}", params
            ).fetchone()
            if query.after is not None:
                opened_at, incident_id = query.after
                condition += " AND (opened_at < ? OR (opened_at = ? AND id < ?))"
                params.extend([opened_at, opened_at, incident_id])
            rows = self.db.conn.execute(
                f"SELECT record FROM incidents WHERE {condition} "
                "ORDER BY opened_at DESC, id DESC LIMIT ?",
                [*params, query.first + 1],
            )
            return Rows(query, int(total), [incident_from_text(text) for (text,) in rows])

        return await self.db.read(run)
