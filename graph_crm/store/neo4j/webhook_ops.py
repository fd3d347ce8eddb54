"""Outbound webhooks on Neo4j: ``_GraphCrmWebhook`` and ``_GraphCrmDelivery`` nodes,
unique by id, and one ``_GraphCrmWebhookFanOut`` cursor, apart from the graph.

A change reads its node under the node's write lock (``*_lock.cypher``,
``delivery_claimable.cypher``) and writes it back in the same transaction: two fan-outs
cannot both move the cursor from one place, two workers cannot claim one delivery.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from neo4j import AsyncManagedTransaction

from graph_crm.errors import Conflict
from graph_crm.incidents.delivery import CLAIMABLE, Delivery
from graph_crm.incidents.webhook import Webhook
from graph_crm.model.audit import AuditRecord
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import write_audit
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.statements import cypher, fetch
from graph_crm.store.session import DeliveryChange, WebhookChange
from graph_crm.store.webhooks import delivery_row


def _webhook(rows: list[dict[str, object]]) -> Webhook | None:
    return Webhook.from_record(json.loads(str(rows[0]["record"]))) if rows else None


def _delivery(rows: list[dict[str, object]]) -> Delivery | None:
    return Delivery.from_text(str(rows[0]["record"])) if rows else None


async def _save(tx: AsyncManagedTransaction, delivery: Delivery) -> None:
    await fetch(tx, cypher(q.DELIVERY_SAVE), delivery=delivery_row(delivery))


class WebhookOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def add_webhook(self, webhook: Webhook, audit: AuditRecord) -> None:
        record = json.dumps(webhook.to_record())

        async def work(tx: AsyncManagedTransaction) -> None:
            (row,) = await fetch(tx, cypher(q.WEBHOOK_ADD), id=webhook.id, record=record)
            if not row["created"]:
                raise Conflict(f"a webhook with id {webhook.id!r} exists", path=("id",))
            await write_audit(tx, [audit])

        await self.db.write(work)

    async def webhook(self, webhook_id: str) -> Webhook | None:
        rows = await self.db.read(lambda tx: fetch(tx, cypher(q.WEBHOOK_GET), id=webhook_id))
        return _webhook(rows)

    async def webhooks(self) -> list[Webhook]:
        rows = await self.db.read(lambda tx: fetch(tx, cypher(q.WEBHOOK_LIST)))
        return [Webhook.from_record(json.loads(row["record"])) for row in rows]

    async def change_webhook(
        self, webhook_id: str, change: WebhookChange, audit: Callable[[Webhook], AuditRecord]
    ) -> Webhook | None:
        async def work(tx: AsyncManagedTransaction) -> Webhook | None:
            found = _webhook(await fetch(tx, cypher(q.WEBHOOK_LOCK), id=webhook_id))
            changed = None if found is None else change(found)
            if changed is None:
                return found
            record = json.dumps(changed.to_record())
            await fetch(tx, cypher(q.WEBHOOK_SAVE), id=webhook_id, record=record)
            await write_audit(tx, [audit(changed)])
            return changed

        return await self.db.write(work)

    async def fan_out_cursor(self) -> int:
        rows = await self.db.read(lambda tx: fetch(tx, cypher(q.FAN_OUT_CURSOR)))
        return int(rows[0]["cursor"])

    async def fan_out(self, expected: int, cursor: int, deliveries: Sequence[Delivery]) -> bool:
        rows = [delivery_row(delivery) for delivery in deliveries]

        async def work(tx: AsyncManagedTransaction) -> bool:
            (locked,) = await fetch(tx, cypher(q.FAN_OUT_LOCK))
            if locked["cursor"] != expected:
                return False
            if rows:
                await fetch(tx, cypher(q.DELIVERY_ADD), rows=rows)
            await fetch(tx, cypher(q.FAN_OUT_MOVE), cursor=cursor)
            return True

        return await self.db.write(work)

    async def delivery(self, delivery_id: str) -> Delivery | None:
        rows = await self.db.read(lambda tx: fetch(tx, cypher(q.DELIVERY_GET), id=delivery_id))
        return _delivery(rows)

    async def deliveries(
        self, webhook_id: str | None, status: str | None, after: str | None, limit: int
    ) -> list[Delivery]:
        rows = await self.db.read(
            lambda tx: fetch(
                tx,
                cypher(q.DELIVERY_LIST),
                webhookId=webhook_id,
                status=status,
                after=after,
                limit=limit,
            )
        )
        return [Delivery.from_text(row["record"]) for row in rows]

    async def any_due_delivery(self, now: float) -> bool:
        rows = await self.db.read(
            lambda tx: fetch(tx, cypher(q.DELIVERY_DUE), now=now, statuses=list(CLAIMABLE))
        )
        return bool(rows)

    async def claim_delivery(self, now: float, claim: DeliveryChange) -> Delivery | None:
        async def work(tx: AsyncManagedTransaction) -> Delivery | None:
            found = _delivery(
                await fetch(tx, cypher(q.DELIVERY_CLAIMABLE), now=now, statuses=list(CLAIMABLE))
            )
            if found is None:
                return None
            claimed = claim(found)
            await _save(tx, claimed)
            return claimed

        return await self.db.write(work)

    async def change_delivery(
        self,
        delivery_id: str,
        change: DeliveryChange,
        audit: Callable[[Delivery], AuditRecord] | None,
    ) -> Delivery | None:
        async def work(tx: AsyncManagedTransaction) -> Delivery | None:
            stored = _delivery(await fetch(tx, cypher(q.DELIVERY_LOCK), id=delivery_id))
            if stored is None:
                return None
            changed = change(stored)
            await _save(tx, changed)
            if audit is not None:
                await write_audit(tx, [audit(changed)])
            return changed

        return await self.db.write(work)
