"""Integrations on Neo4j: ``_GraphCrmIntegration`` nodes, unique by id, apart from the
graph. A node holds :meth:`Integration.to_record` (datetimes as ISO text); each write
creates its audit record in the same transaction."""

from __future__ import annotations

from datetime import datetime

from neo4j import AsyncManagedTransaction

from graph_crm.auth.integrations import Integration
from graph_crm.clock import utc_now
from graph_crm.errors import Conflict, NotFound, UniqueViolation
from graph_crm.store.audit import integration_created_record, integration_revoked_record
from graph_crm.store.events import integration_record
from graph_crm.store.keys import checked_at
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import write_audit
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.statements import cypher, fetch


class IntegrationOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def add_integration(self, integration: Integration) -> None:
        record = integration_record(integration)

        async def work(tx: AsyncManagedTransaction) -> None:
            await fetch(tx, cypher(q.INTEGRATION_ADD), integration=record)
            await write_audit(tx, [integration_created_record(integration, utc_now())])

        try:
            await self.db.write(work)
        except UniqueViolation:
            raise Conflict(
                f"an integration with id {integration.id[:40]!r} exists", path=("id",)
            ) from None

    async def integration(self, integration_id: str) -> Integration | None:
        rows = await self.db.read(
            lambda tx: fetch(tx, cypher(q.INTEGRATION_GET), id=integration_id)
        )
        return Integration.from_record(rows[0]["integration"]) if rows else None

    async def integrations(self) -> list[Integration]:
        rows = await self.db.read(lambda tx: fetch(tx, cypher(q.INTEGRATION_LIST)))
        found = [Integration.from_record(row["integration"]) for row in rows]
        return sorted(found, key=lambda found: (found.created_at, found.id))

    async def revoke_integration(
        self, integration_id: str, *, at: datetime, actor: str
    ) -> Integration:
        revoked_at = checked_at(at, "at").isoformat()

        async def work(tx: AsyncManagedTransaction) -> Integration | None:
            rows = await fetch(tx, cypher(q.INTEGRATION_REVOKE), id=integration_id, at=revoked_at)
            if not rows:
                return None
            integration = Integration.from_record(rows[0]["integration"])
            if rows[0]["wasActive"]:
                record = integration_revoked_record(integration, actor, utc_now())
                await write_audit(tx, [record])
            return integration

        found = await self.db.write(work)
        if found is None:
            raise NotFound(f"there is no integration {integration_id!r}", path=("id",))
        return found
