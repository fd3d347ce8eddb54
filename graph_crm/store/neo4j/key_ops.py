"""API keys on Neo4j: ``_GraphCrmApiKey`` nodes, unique by id, apart from the graph.

A node holds :meth:`ApiKey.to_record` as it is (datetimes as ISO text); a taken id is
caught by the ``graph_crm_api_key_id`` constraint, so two racing adds cannot both win.
Each key write creates its audit record in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from neo4j import AsyncManagedTransaction

from graph_crm.auth.keys import ApiKey
from graph_crm.clock import utc_now
from graph_crm.errors import Conflict, NotFound, UniqueViolation
from graph_crm.model.registry import Registry
from graph_crm.store.audit import key_created_record, key_revoked_record
from graph_crm.store.base import DEFAULT_ACTOR
from graph_crm.store.keys import api_key_record, checked_at, oldest_first
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import write_audit
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.statements import (
    cypher,
    fetch,
)


class KeyOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def add_api_key(self, key: ApiKey) -> None:
        record = api_key_record(key)

        async def work(tx: AsyncManagedTransaction) -> None:
            await fetch(tx, cypher(q.API_KEY_ADD), key=record)
            await write_audit(tx, [key_created_record(key, utc_now())])

        try:
            await self.db.write(work)
        except UniqueViolation:
            # the statement touches one key node: its only constraint is the id's
            raise Conflict(f"an API key with id {key.id[:40]!r} exists", path=("id",)) from None

    async def api_key(self, key_id: str) -> ApiKey | None:
        rows = await self.db.read(lambda tx: fetch(tx, cypher(q.API_KEY_GET), id=key_id))
        return ApiKey.from_record(rows[0]["key"]) if rows else None

    async def api_key_and_registry(self, key_id: str) -> tuple[ApiKey | None, Registry]:
        rows = await self.db.read_statement(cypher(q.API_KEY_WITH_REGISTRY), id=key_id)
        [row] = rows
        key = None if row["key"] is None else ApiKey.from_record(row["key"])
        return key, await self.db.registry_of_version(int(row["version"]))

    async def api_keys(self) -> list[ApiKey]:
        rows = await self.db.read(lambda tx: fetch(tx, cypher(q.API_KEY_LIST)))
        return oldest_first(ApiKey.from_record(row["key"]) for row in rows)

    async def revoke_api_key(
        self, key_id: str, *, at: datetime, actor: str = DEFAULT_ACTOR
    ) -> ApiKey:
        revoked_at = checked_at(at, "at").isoformat()

        async def work(tx: AsyncManagedTransaction) -> ApiKey | None:
            rows = await fetch(tx, cypher(q.API_KEY_REVOKE), id=key_id, at=revoked_at)
            if not rows:
                return None
            key = ApiKey.from_record(rows[0]["key"])
            if rows[0]["wasActive"]:
                await write_audit(tx, [key_revoked_record(key, actor, utc_now())])
            return key

        key = await self.db.write(work)
        if key is None:
            raise NotFound(f"there is no API key {key_id[:40]!r}", path=("id",))
        return key
