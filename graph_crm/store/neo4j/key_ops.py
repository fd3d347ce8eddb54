"""API keys on Neo4j: ``_GraphCrmApiKey`` nodes, unique by id, apart from the graph.

A node holds :meth:`ApiKey.to_record` as it is (datetimes as ISO text); a taken id is
caught by the ``graph_crm_api_key_id`` constraint, so two racing adds cannot both win.
"""

from __future__ import annotations

from datetime import datetime

from graph_crm.auth.keys import ApiKey
from graph_crm.errors import Conflict, NotFound, UniqueViolation
from graph_crm.store.keys import api_key_record, checked_at, oldest_first
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.core import Neo4jCore, _cypher, _rows


class KeyOps(Neo4jCore):
    async def add_api_key(self, key: ApiKey) -> None:
        record = api_key_record(key)
        try:
            await self._write_tx(lambda tx: _rows(tx, _cypher(q.API_KEY_ADD), key=record))
        except UniqueViolation:
            # the statement touches one key node: its only constraint is the id's
            raise Conflict(f"an API key with id {key.id[:40]!r} exists", path=("id",)) from None

    async def api_key(self, key_id: str) -> ApiKey | None:
        rows = await self._read_tx(lambda tx: _rows(tx, _cypher(q.API_KEY_GET), id=key_id))
        return ApiKey.from_record(rows[0]["key"]) if rows else None

    async def api_keys(self) -> list[ApiKey]:
        rows = await self._read_tx(lambda tx: _rows(tx, _cypher(q.API_KEY_LIST)))
        return oldest_first(ApiKey.from_record(row["key"]) for row in rows)

    async def revoke_api_key(self, key_id: str, *, at: datetime) -> ApiKey:
        revoked_at = checked_at(at, "at").isoformat()
        rows = await self._write_tx(
            lambda tx: _rows(tx, _cypher(q.API_KEY_REVOKE), id=key_id, at=revoked_at)
        )
        if not rows:
            raise NotFound(f"there is no API key {key_id[:40]!r}", path=("id",))
        return ApiKey.from_record(rows[0]["key"])
