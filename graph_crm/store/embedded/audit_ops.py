"""The audit trail on the embedded store: rows of ``audit``, beside the graph.

Every write inserts its records with :func:`insert_audit` on the connection of its own
write transaction, so a failed insert rolls the change back with it. The table is not
part of the graph: inserting into it leaves the generation (and so every networkx
mirror) as the write itself leaves it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any, Final

from graph_crm.errors import AuditFailed
from graph_crm.model.audit import AuditQuery, AuditRecord
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.listing import Rows

_COLUMNS: Final = "id, at, actor, action, kind, type_name, ids, before, after, summary"


def _row(record: AuditRecord) -> dict[str, Any]:
    stored = record.to_record()
    return {**stored, "ids": json.dumps(stored["ids"], ensure_ascii=False)}


def insert_audit(conn: sqlite3.Connection, records: Iterable[AuditRecord]) -> None:
    """Insert ``records`` in the caller's open transaction; AuditFailed if SQLite refuses."""
    rows = [_row(record) for record in records]
    if not rows:
        return
    try:
        conn.executemany(
            f"INSERT INTO audit ({_COLUMNS}) VALUES (:id, :at, :actor, :action, :kind, "
            ":typeName, :ids, :before, :after, :summary)",
            rows,
        )
    except sqlite3.Error:
        raise AuditFailed("the audit record could not be stored, so nothing was written") from None


def _record(row: tuple[Any, ...]) -> AuditRecord:
    record_id, at, actor, action, kind, type_name, ids, before, after, summary = row
    return AuditRecord.from_record(
        {
            "id": record_id,
            "at": at,
            "actor": actor,
            "action": action,
            "kind": kind,
            "typeName": type_name,
            "ids": json.loads(ids),
            "before": before,
            "after": after,
            "summary": summary,
        }
    )


class AuditOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def record_audit(self, record: AuditRecord) -> None:
        def run() -> None:
            with self.db.write(graph=False) as conn:
                insert_audit(conn, [record])

        await self.db.call(run)

    async def audit_rows(self, query: AuditQuery) -> Rows[AuditQuery, AuditRecord]:
        """Count the records ``query`` matches; read up to ``first + 1`` after its cursor."""

        def run() -> Rows[AuditQuery, AuditRecord]:
            where, params = ["at >= ?"], [query.since]
            if query.until is not None:
                where.append("at < ?")
                params.append(query.until)
            for column, value in (
                ("actor", query.actor),
                ("type_name", query.type_name),
                ("kind", query.kind),
                ("action", query.action),
            ):
                if value is not None:
                    where.append(f"{column} = ?")
                    params.append(value)
            total = self.db.conn.execute(
                f"SELECT count(*) FROM audit WHERE {' AND '.join(where)}", params
            ).fetchone()[0]
            past, order = ("<", "DESC") if query.newest_first else (">", "ASC")
            if query.after is not None:
                at, record_id = query.after
                where.append(f"(at {past} ? OR (at = ? AND id {past} ?))")
                params.extend([at, at, record_id])
            rows = self.db.conn.execute(
                f"SELECT {_COLUMNS} FROM audit WHERE {' AND '.join(where)} "
                f"ORDER BY at {order}, id {order} LIMIT ?",
                [*params, query.first + 1],
            ).fetchall()
            return Rows(query, int(total), [_record(row) for row in rows])

        return await self.db.read(run)
