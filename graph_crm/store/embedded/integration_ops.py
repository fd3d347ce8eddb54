"""Integrations on the embedded store: rows of ``integrations`` (their record as JSON),
beside the graph; each write records its audit record in the same transaction."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from graph_crm.auth.integrations import Integration
from graph_crm.clock import utc_now
from graph_crm.errors import Conflict, NotFound
from graph_crm.store.audit import integration_created_record, integration_revoked_record
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.events import integration_record
from graph_crm.store.keys import checked_at


def _find(conn: sqlite3.Connection, integration_id: str) -> Integration | None:
    row = conn.execute("SELECT record FROM integrations WHERE id = ?", (integration_id,)).fetchone()
    return None if row is None else Integration.from_record(json.loads(row[0]))


class IntegrationOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def add_integration(self, integration: Integration) -> None:
        record = integration_record(integration)

        def run() -> None:
            with self.db.write(graph=False) as conn:
                added = conn.execute(
                    "INSERT INTO integrations (id, created_at, record) VALUES (?, ?, ?) "
                    "ON CONFLICT (id) DO NOTHING",
                    (integration.id, record["createdAt"], json.dumps(record)),
                )
                if added.rowcount == 0:
                    raise Conflict(
                        f"an integration with id {integration.id[:40]!r} exists", path=("id",)
                    )
                insert_audit(conn, [integration_created_record(integration, utc_now())])

        await self.db.call(run)

    async def integration(self, integration_id: str) -> Integration | None:
        return await self.db.read(lambda: _find(self.db.conn, integration_id), quick=True)

    async def integrations(self) -> list[Integration]:
        def run() -> list[Integration]:
            rows = self.db.conn.execute("SELECT record FROM integrations")
            found = [Integration.from_record(json.loads(text)) for (text,) in rows]
            return sorted(found, key=lambda found: (found.created_at, found.id))

        return await self.db.read(run)

    async def revoke_integration(
        self, integration_id: str, *, at: datetime, actor: str
    ) -> Integration:
        checked_at(at, "at")

        def run() -> Integration:
            with self.db.write(graph=False) as conn:
                found = _find(conn, integration_id)
                if found is None:
                    raise NotFound(f"there is no integration {integration_id!r}", path=("id",))
                if not found.active:
                    return found
                revoked = found.revoked(at)
                conn.execute(
                    "UPDATE integrations SET record = ? WHERE id = ?",
                    (json.dumps(revoked.to_record()), integration_id),
                )
                insert_audit(conn, [integration_revoked_record(revoked, actor, utc_now())])
                return revoked

        return await self.db.call(run)
