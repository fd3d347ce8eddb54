"""Outbound webhooks on the embedded store: rows of ``webhooks``,
``webhook_deliveries`` and the one ``webhook_fan_out`` cursor, beside the graph.

Every change runs on the one writer in a ``BEGIN IMMEDIATE`` transaction, which also
holds off the writers of other processes on the same file: two fan-outs cannot both
move the cursor from one place, and two workers cannot claim one delivery.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Final

from graph_crm.errors import Conflict
from graph_crm.incidents.delivery import CLAIMABLE, Delivery
from graph_crm.incidents.webhook import Webhook
from graph_crm.model.audit import AuditRecord
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.session import DeliveryChange, WebhookChange
from graph_crm.store.webhooks import delivery_row

_SAVE: Final = (
    "UPDATE webhook_deliveries SET status = :status, due = :due, record = :record WHERE id = :id"
)


def _webhook(conn: sqlite3.Connection, webhook_id: str) -> Webhook | None:
    row = conn.execute("SELECT record FROM webhooks WHERE id = ?", (webhook_id,)).fetchone()
    return None if row is None else Webhook.from_record(json.loads(row[0]))


def _delivery(conn: sqlite3.Connection, delivery_id: str) -> Delivery | None:
    row = conn.execute(
        "SELECT record FROM webhook_deliveries WHERE id = ?", (delivery_id,)
    ).fetchone()
    return None if row is None else Delivery.from_text(row[0])


def _cursor(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT cursor FROM webhook_fan_out WHERE name = 'incidents'").fetchone()
    return 0 if row is None else int(row[0])


class WebhookOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def add_webhook(self, webhook: Webhook, audit: AuditRecord) -> None:
        def run() -> None:
            with self.db.write(graph=False) as conn:
                added = conn.execute(
                    "INSERT INTO webhooks (id, record) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
                    (webhook.id, json.dumps(webhook.to_record())),
                )
                if added.rowcount == 0:
                    raise Conflict(f"a webhook with id {webhook.id!r} exists", path=("id",))
                insert_audit(conn, [audit])

        await self.db.call(run)

    async def webhook(self, webhook_id: str) -> Webhook | None:
        return await self.db.read(lambda: _webhook(self.db.conn, webhook_id), quick=True)

    async def webhooks(self) -> list[Webhook]:
        def run() -> list[Webhook]:
            rows = self.db.conn.execute("SELECT record FROM webhooks")
            return [Webhook.from_record(json.loads(text)) for (text,) in rows]

        return await self.db.read(run)

    async def change_webhook(
        self, webhook_id: str, change: WebhookChange, audit: Callable[[Webhook], AuditRecord]
    ) -> Webhook | None:
        def run() -> Webhook | None:
            with self.db.write(graph=False) as conn:
                found = _webhook(conn, webhook_id)
                changed = None if found is None else change(found)
                if changed is None:
                    return found
                conn.execute(
                    "UPDATE webhooks SET record = ? WHERE id = ?",
                    (json.dumps(changed.to_record()), webhook_id),
                )
                insert_audit(conn, [audit(changed)])
                return changed

        return await self.db.call(run)

    async def fan_out_cursor(self) -> int:
        return await self.db.read(lambda: _cursor(self.db.conn), quick=True)

    async def fan_out(self, expected: int, cursor: int, deliveries: Sequence[Delivery]) -> bool:
        def run() -> bool:
            with self.db.write(graph=False) as conn:
                if _cursor(conn) != expected:
                    return False
                conn.executemany(
                    "INSERT INTO webhook_deliveries (id, webhook_id, seq, status, due, record) "
                    "VALUES (:id, :webhookId, :seq, :status, :due, :record) "
                    "ON CONFLICT (id) DO NOTHING",
                    [delivery_row(delivery) for delivery in deliveries],
                )
                conn.execute(
                    "INSERT INTO webhook_fan_out (name, cursor) VALUES ('incidents', ?) "
                    "ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor",
                    (cursor,),
                )
                return True

        return await self.db.call(run)

    async def delivery(self, delivery_id: str) -> Delivery | None:
        return await self.db.read(lambda: _delivery(self.db.conn, delivery_id), quick=True)

    async def deliveries(
        self, webhook_id: str | None, status: str | None, after: str | None, limit: int
    ) -> list[Delivery]:
        def run() -> list[Delivery]:
            rows = self.db.conn.execute(
                "SELECT record FROM webhook_deliveries "
                "WHERE (:webhook IS NULL OR webhook_id = :webhook) "
                "AND (:status IS NULL OR status = :status) AND (:after IS NULL OR id > :after) "
                "ORDER BY id LIMIT :limit",
                {"webhook": webhook_id, "status": status, "after": after, "limit": limit},
            )
            return [Delivery.from_text(text) for (text,) in rows]

        return await self.db.read(run)

    async def any_due_delivery(self, now: float) -> bool:
        def run() -> bool:
            row = self.db.conn.execute(
                "SELECT 1 FROM webhook_deliveries WHERE status IN (?, ?) AND due <= ? LIMIT 1",
                (*CLAIMABLE, now),
            ).fetchone()
            return row is not None

        return await self.db.read(run, quick=True)

    async def claim_delivery(self, now: float, claim: DeliveryChange) -> Delivery | None:
        def run() -> Delivery | None:
            with self.db.write(graph=False) as conn:
                row = conn.execute(
                    "SELECT record FROM webhook_deliveries WHERE status IN (?, ?) AND due <= ? "
                    "ORDER BY due, id LIMIT 1",
                    (*CLAIMABLE, now),
                ).fetchone()
                if row is None:
                    return None
                claimed = claim(Delivery.from_text(row[0]))
                conn.execute(_SAVE, delivery_row(claimed))
                return claimed

        return await self.db.call(run)

    async def change_delivery(
        self,
        delivery_id: str,
        change: DeliveryChange,
        audit: Callable[[Delivery], AuditRecord] | None,
    ) -> Delivery | None:
        def run() -> Delivery | None:
            with self.db.write(graph=False) as conn:
                stored = _delivery(conn, delivery_id)
                if stored is None:
                    return None
                changed = change(stored)
                conn.execute(_SAVE, delivery_row(changed))
                if audit is not None:
                    insert_audit(conn, [audit(changed)])
                return changed

        return await self.db.call(run)
