"""Shared plumbing of the embedded store: the SQLite connection on its worker thread,
freshness of the registry and the mirror, and the write transaction.

All database work runs on one worker thread, so the connection and the mirror are
only ever touched from there. Every write transaction that may change the graph bumps
``meta.generation``; a store whose mirror was built at another generation (another
process wrote, or updating the mirror failed) rebuilds it before it traverses.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path as FsPath
from typing import Any, ParamSpec, TypeVar

from graph_crm.errors import StoreUnavailable
from graph_crm.model.graph import (
    Entity,
    properties_from_json,
)
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.types import EntityType
from graph_crm.store.embedded import schema
from graph_crm.store.embedded.mirror import Mirror

P = ParamSpec("P")
R = TypeVar("R")

_CHUNK = 500


def _chunks(items: Sequence[R], size: int = _CHUNK) -> Iterator[Sequence[R]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def insert_change(conn: sqlite3.Connection, change: RegistryChange) -> None:
    conn.execute(
        "INSERT INTO registry_changes (version, kind, name, actor, at, before, after) "
        "VALUES (:version, :kind, :name, :actor, :at, :before, :after)",
        change.to_record(),
    )


class EmbeddedCore:
    """State and helpers every part of the embedded store shares."""

    def __init__(self, path: str | FsPath) -> None:
        self.path = str(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graph-crm-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._registry = Registry()
        self._mirror: Mirror | None = None

    def _open(self) -> None:
        if self.path != ":memory:":
            FsPath(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = schema.connect(self.path)
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the database {self.path}: {exc}") from None
        self._refresh()

    async def _call(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: fn(*args, **kwargs))

    async def close(self) -> None:
        if self._conn is not None:
            await self._call(self._conn.close)
            self._conn = None
        self._executor.shutdown(wait=True)

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreUnavailable("the store is closed")
        return self._conn

    async def ping(self) -> None:
        await self._call(lambda: self.conn.execute("SELECT 1").fetchone())

    def _meta(self) -> dict[str, int]:
        return {
            name: int(value) for name, value in self.conn.execute("SELECT name, value FROM meta")
        }

    def _refresh(self) -> None:
        """Re-read the registry, and drop the mirror, if another writer moved them."""
        meta = self._meta()
        if meta["registry_version"] != self._registry.version or self._registry.version == 0:
            self._registry = self._load_registry(meta["registry_version"])
        if self._mirror is not None and self._mirror.generation != meta["generation"]:
            self._mirror = None

    def _load_registry(self, version: int) -> Registry:
        rows = self.conn.execute("SELECT kind, definition FROM type_defs ORDER BY name")
        return Registry.from_stored(version, ((kind, json.loads(text)) for kind, text in rows))

    def _ensure_mirror(self) -> Mirror:
        self._refresh()
        if self._mirror is None:
            self._mirror = Mirror.load(self.conn, self._meta()["generation"])
        return self._mirror

    @contextmanager
    def _write(self, *, graph: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction; bumps the generation; rolls back on any error.

        ``graph=False`` is for writes that leave entities and relations alone (API keys):
        the generation stays, so no mirror, in this process or another, is rebuilt for them.
        """
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._refresh()
            yield conn
            if graph:
                conn.execute("UPDATE meta SET value = value + 1 WHERE name = 'generation'")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _after_write(self, update: Callable[[Mirror], None]) -> None:
        """Apply a committed write to the mirror, or drop the mirror if that fails."""
        mirror = self._mirror
        if mirror is None:
            return
        generation = self._meta()["generation"]
        if generation != mirror.generation + 1:
            self._mirror = None
            return
        try:
            update(mirror)
            mirror.generation = generation
        except Exception:
            # The commit stands; a mirror we cannot trust is rebuilt from SQLite.
            self._mirror = None

    async def _guarded(self, fn: Callable[[], R]) -> R:
        """Run ``fn`` on the worker; a registry failure leaves the cached registry re-read."""

        def run() -> R:
            try:
                return fn()
            except BaseException:
                self._registry = self._load_registry(self._meta()["registry_version"])
                raise

        return await self._call(run)

    def _count_entities(self, conn: sqlite3.Connection, type_name: str) -> int:
        row = conn.execute("SELECT count(*) FROM entities WHERE type = ?", (type_name,)).fetchone()
        return int(row[0])

    def _count_relations(self, conn: sqlite3.Connection, type_name: str) -> int:
        row = conn.execute("SELECT count(*) FROM relations WHERE type = ?", (type_name,)).fetchone()
        return int(row[0])

    def _entity_from_row(
        self, entity_type: EntityType, row: sqlite3.Row | tuple[Any, ...]
    ) -> Entity:
        key, props, created, updated = row
        return Entity(
            entity_type.name,
            key,
            properties_from_json(entity_type, json.loads(props)),
            _ts(created),
            _ts(updated),
        )

    def _row_ids(
        self, conn: sqlite3.Connection, type_name: str, keys: Sequence[str]
    ) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(keys):
            found.update(
                conn.execute(
                    f"SELECT key, id FROM entities WHERE type = ? AND key IN "
                    f"({', '.join('?' * len(chunk))})",
                    (type_name, *chunk),
                ).fetchall()
            )
        return found
