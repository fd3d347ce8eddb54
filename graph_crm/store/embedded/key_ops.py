"""API keys on the embedded store: rows of ``api_keys``, beside the graph, not in it.

Key writes leave the generation alone (``_write(graph=False)``): they change no entity
or relation, so no networkx mirror needs rebuilding after one. Each writes its audit
record in the same transaction.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Final

from graph_crm.auth.keys import ApiKey
from graph_crm.clock import utc_now
from graph_crm.errors import Conflict, NotFound
from graph_crm.model.registry import Registry
from graph_crm.store.audit import key_created_record, key_revoked_record
from graph_crm.store.base import DEFAULT_ACTOR
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.keys import api_key_record, checked_at, oldest_first

_SELECT: Final = (
    "SELECT id, name, role, secret_hash, created_at, created_by, revoked_at FROM api_keys"
)


def _key(row: tuple[str, ...]) -> ApiKey:
    key_id, name, role, secret_hash, created_at, created_by, revoked_at = row
    return ApiKey.from_record(
        {
            "id": key_id,
            "name": name,
            "role": role,
            "secretHash": secret_hash,
            "createdAt": created_at,
            "createdBy": created_by,
            "revokedAt": revoked_at,
        }
    )


def _find(conn: sqlite3.Connection, key_id: str) -> ApiKey | None:
    row = conn.execute(f"{_SELECT} WHERE id = ?", (key_id,)).fetchone()
    return None if row is None else _key(row)


class KeyOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def add_api_key(self, key: ApiKey) -> None:
        record = api_key_record(key)

        def run() -> None:
            with self.db.write(graph=False) as conn:
                added = conn.execute(
                    "INSERT INTO api_keys (id, name, role, secret_hash, created_at, created_by, "
                    "revoked_at) VALUES (:id, :name, :role, :secretHash, :createdAt, :createdBy, "
                    ":revokedAt) ON CONFLICT (id) DO NOTHING",
                    record,
                )
                if added.rowcount == 0:
                    raise Conflict(f"an API key with id {key.id[:40]!r} exists", path=("id",))
                insert_audit(conn, [key_created_record(key, utc_now())])

        await self.db.call(run)

    async def api_key(self, key_id: str) -> ApiKey | None:
        return await self.db.read(lambda: _find(self.db.conn, key_id), quick=True)

    async def api_key_and_registry(self, key_id: str) -> tuple[ApiKey | None, Registry]:
        def run() -> tuple[ApiKey | None, Registry]:
            return _find(self.db.conn, key_id), self.db.refresh()

        return await self.db.read(run, quick=True)

    async def api_keys(self) -> list[ApiKey]:
        return await self.db.read(lambda: oldest_first(map(_key, self.db.conn.execute(_SELECT))))

    async def revoke_api_key(
        self, key_id: str, *, at: datetime, actor: str = DEFAULT_ACTOR
    ) -> ApiKey:
        revoked_at = checked_at(at, "at").isoformat()

        def run() -> ApiKey:
            with self.db.write(graph=False) as conn:
                revoked = conn.execute(
                    "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                    (revoked_at, key_id),
                ).rowcount
                key = _find(conn, key_id)
                if key is not None and revoked:
                    insert_audit(conn, [key_revoked_record(key, actor, utc_now())])
            if key is None:
                raise NotFound(f"there is no API key {key_id[:40]!r}", path=("id",))
            return key

        return await self.db.call(run)
