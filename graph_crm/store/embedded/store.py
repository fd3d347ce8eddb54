"""The embedded store: SQLite (WAL) holds the truth, a networkx mirror serves traversal.

All database work runs on one worker thread, so the connection and the mirror are
only ever touched from there. Every write transaction bumps ``meta.generation``;
a store whose mirror was built at another generation (another process wrote, or
updating the mirror failed) rebuilds it before it traverses.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path as FsPath
from typing import Any, ParamSpec, TypeVar

from graph_crm.errors import InvalidInput, StoreUnavailable, UniqueViolation
from graph_crm.model.graph import (
    Counts,
    DeleteResult,
    Entity,
    Page,
    Relation,
    WriteResult,
    properties_from_json,
    properties_to_json,
)
from graph_crm.model.query import (
    after_filter,
    check_filter,
    check_order,
    check_page_size,
    decode_cursor,
    encode_cursor,
)
from graph_crm.model.records import (
    check_entity_records,
    check_links,
    global_id,
    revision_of,
)
from graph_crm.model.registry import Alteration, Registry, RegistryChange
from graph_crm.model.traversal import Step, Traversal, plan_traversal, select_paths
from graph_crm.model.types import EntityType, RelationType, parse_entity_type, parse_relation_type
from graph_crm.model.values import datetime_to_text, utc_now
from graph_crm.store.base import DEFAULT_ACTOR
from graph_crm.store.common import (
    check_start_ids,
    decode_relation_cursor,
    encode_relation_cursor,
    group_ids_by_type,
    raise_missing_endpoints,
    raise_unique_conflicts,
    unique_values_in_batch,
)
from graph_crm.store.embedded import schema
from graph_crm.store.embedded.mirror import Mirror
from graph_crm.store.embedded.sql import compile_filter, compile_order, order_values, sql_value

P = ParamSpec("P")
R = TypeVar("R")

_CHUNK = 500


def _chunks(items: Sequence[R], size: int = _CHUNK) -> Iterator[Sequence[R]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class EmbeddedStore:
    backend = "embedded"

    def __init__(self, path: str | FsPath) -> None:
        self.path = str(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="graph-crm-sqlite")
        self._conn: sqlite3.Connection | None = None
        self._registry = Registry()
        self._mirror: Mirror | None = None

    @classmethod
    async def open(cls, path: str | FsPath) -> EmbeddedStore:
        store = cls(path)
        await store._call(store._open)
        return store

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

    # -- freshness -----------------------------------------------------------------------

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
        entity_types: list[EntityType] = []
        relation_types: list[RelationType] = []
        for kind, definition in self.conn.execute(
            "SELECT kind, definition FROM type_defs ORDER BY name"
        ):
            data = json.loads(definition)
            if kind == "entityType":
                entity_types.append(parse_entity_type(data))
            else:
                relation_types.append(parse_relation_type(data))
        return Registry.from_definitions(version, entity_types, relation_types)

    def _ensure_mirror(self) -> Mirror:
        self._refresh()
        if self._mirror is None:
            self._mirror = Mirror.load(self.conn, self._meta()["generation"])
        return self._mirror

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; bumps the generation; rolls back on any error."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            self._refresh()
            yield conn
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

    # -- registry ------------------------------------------------------------------------

    async def registry(self) -> Registry:
        def read() -> Registry:
            self._refresh()
            return self._registry

        return await self._call(read)

    async def registry_changes(self, since_version: int = 0) -> list[RegistryChange]:
        def read() -> list[RegistryChange]:
            rows = self.conn.execute(
                "SELECT version, kind, name, actor, at, before, after FROM registry_changes "
                "WHERE version > ? ORDER BY version",
                (since_version,),
            ).fetchall()
            return [
                RegistryChange.from_json(
                    {
                        "version": v,
                        "kind": k,
                        "name": n,
                        "actor": a,
                        "at": at,
                        "before": json.loads(b) if b else None,
                        "after": json.loads(af) if af else None,
                    }
                )
                for v, k, n, a, at, b, af in rows
            ]

        return await self._call(read)

    def _record_change(
        self, conn: sqlite3.Connection, registry: Registry, change: RegistryChange
    ) -> None:
        data = change.to_json()
        conn.execute(
            "INSERT INTO registry_changes (version, kind, name, actor, at, before, after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                data["version"],
                data["kind"],
                data["name"],
                data["actor"],
                data["at"],
                json.dumps(data["before"]) if data["before"] else None,
                json.dumps(data["after"]) if data["after"] else None,
            ),
        )
        kind = "entityType" if "ENTITY" in change.kind.value else "relationType"
        if change.after is None:
            conn.execute("DELETE FROM type_defs WHERE kind = ? AND name = ?", (kind, change.name))
        else:
            conn.execute(
                "INSERT INTO type_defs (kind, name, definition) VALUES (?, ?, ?) "
                "ON CONFLICT (kind, name) DO UPDATE SET definition = excluded.definition",
                (kind, change.name, json.dumps(change.after, ensure_ascii=False)),
            )
        conn.execute(
            "UPDATE meta SET value = ? WHERE name = 'registry_version'", (registry.version,)
        )
        self._registry = registry

    def _count_entities(self, conn: sqlite3.Connection, type_name: str) -> int:
        row = conn.execute("SELECT count(*) FROM entities WHERE type = ?", (type_name,)).fetchone()
        return int(row[0])

    def _count_relations(self, conn: sqlite3.Connection, type_name: str) -> int:
        row = conn.execute("SELECT count(*) FROM relations WHERE type = ?", (type_name,)).fetchone()
        return int(row[0])

    async def define_entity_type(
        self, definition: EntityType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        entity_type = parse_entity_type(definition)

        def run() -> Registry:
            with self._write() as conn:
                registry, change = self._registry.define_entity_type(
                    entity_type, actor=actor, at=utc_now()
                )
                for spec in entity_type.unique_properties:
                    schema.create_unique_index(conn, entity_type.name, spec.name)
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    async def alter_entity_type(
        self, definition: EntityType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        entity_type = parse_entity_type(definition)

        def run() -> Registry:
            with self._write() as conn:
                populated = self._count_entities(conn, entity_type.name) > 0
                registry, change, alteration = self._registry.alter_entity_type(
                    entity_type, populated=populated, actor=actor, at=utc_now()
                )
                self._apply_alteration(conn, entity_type, alteration)
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    def _apply_alteration(
        self, conn: sqlite3.Connection, entity_type: EntityType, alteration: Alteration
    ) -> None:
        for name in alteration.dropped_unique + alteration.removed:
            schema.drop_unique_index(conn, entity_type.name, name)
        for name in alteration.new_unique:
            schema.create_unique_index(conn, entity_type.name, name)
        if alteration.backfill:
            payload = json.dumps(properties_to_json(entity_type, alteration.backfill))
            now = datetime_to_text(utc_now())
            rows = conn.execute(
                "SELECT id, props FROM entities WHERE type = ?", (entity_type.name,)
            ).fetchall()
            updates = []
            for row_id, props in rows:
                merged = {**json.loads(payload), **json.loads(props)}
                decoded = properties_from_json(entity_type, merged)
                updates.append(
                    (
                        json.dumps(merged, ensure_ascii=False),
                        revision_of(entity_type, decoded),
                        now,
                        row_id,
                    )
                )
            conn.executemany(
                "UPDATE entities SET props = ?, rev = ?, updated_at = ? WHERE id = ?", updates
            )

    async def drop_entity_type(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        def run() -> Registry:
            with self._write() as conn:
                populated = self._count_entities(conn, name) > 0
                old = self._registry.entity_type(name)
                registry, change = self._registry.drop_entity_type(
                    name, populated=populated, actor=actor, at=utc_now()
                )
                for spec in old.unique_properties:
                    schema.drop_unique_index(conn, name, spec.name)
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    async def define_relation_type(
        self, definition: RelationType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        relation_type = parse_relation_type(definition)

        def run() -> Registry:
            with self._write() as conn:
                registry, change = self._registry.define_relation_type(
                    relation_type, actor=actor, at=utc_now()
                )
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    async def alter_relation_type(
        self, definition: RelationType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        relation_type = parse_relation_type(definition)

        def run() -> Registry:
            with self._write() as conn:
                populated = self._count_relations(conn, relation_type.name) > 0
                registry, change, alteration = self._registry.alter_relation_type(
                    relation_type, populated=populated, actor=actor, at=utc_now()
                )
                if alteration.backfill:
                    self._backfill_relations(conn, relation_type, alteration.backfill)
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    def _backfill_relations(
        self, conn: sqlite3.Connection, relation_type: RelationType, backfill: dict[str, Any]
    ) -> None:
        defaults = properties_to_json(relation_type, backfill)
        rows = conn.execute(
            "SELECT id, props FROM relations WHERE type = ?", (relation_type.name,)
        ).fetchall()
        updates = []
        for row_id, props in rows:
            merged = {**defaults, **json.loads(props)}
            decoded = properties_from_json(relation_type, merged)
            updates.append(
                (
                    json.dumps(merged, ensure_ascii=False),
                    revision_of(relation_type, decoded),
                    row_id,
                )
            )
        conn.executemany("UPDATE relations SET props = ?, rev = ? WHERE id = ?", updates)

    async def drop_relation_type(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        def run() -> Registry:
            with self._write() as conn:
                populated = self._count_relations(conn, name) > 0
                registry, change = self._registry.drop_relation_type(
                    name, populated=populated, actor=actor, at=utc_now()
                )
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    async def _guarded(self, fn: Callable[[], R]) -> R:
        """Run ``fn`` on the worker; a registry failure leaves the cached registry re-read."""

        def run() -> R:
            try:
                return fn()
            except BaseException:
                self._registry = self._load_registry(self._meta()["registry_version"])
                raise

        return await self._call(run)

    # -- entities ------------------------------------------------------------------------

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

    async def upsert_entities(
        self, type_name: str, records: Sequence[Mapping[str, Any]]
    ) -> WriteResult:
        def run() -> WriteResult:
            self._refresh()
            entity_type = self._registry.entity_type(type_name)
            checked = check_entity_records(entity_type, records)
            batch_unique = unique_values_in_batch(entity_type, checked)
            now = datetime_to_text(utc_now())
            with self._write() as conn:
                self._check_unique_holders(conn, entity_type, checked, batch_unique)
                existing: dict[str, str] = {}
                for chunk in _chunks([r.key for r in checked]):
                    existing.update(
                        conn.execute(
                            f"SELECT key, rev FROM entities WHERE type = ? AND key IN "
                            f"({', '.join('?' * len(chunk))})",
                            (entity_type.name, *chunk),
                        ).fetchall()
                    )
                created: list[tuple[Any, ...]] = []
                changed: list[tuple[Any, ...]] = []
                for record in checked:
                    rev = revision_of(entity_type, record.properties)
                    props = json.dumps(
                        properties_to_json(entity_type, record.properties), ensure_ascii=False
                    )
                    if record.key not in existing:
                        created.append((entity_type.name, record.key, props, rev, now, now))
                    elif existing[record.key] != rev:
                        changed.append((props, rev, now, entity_type.name, record.key))
                try:
                    if changed and entity_type.unique_properties:
                        # SQLite checks uniqueness row by row: release the old values first
                        # so that rows of one batch may trade unique values.
                        conn.executemany(
                            "UPDATE entities SET props = '{}' WHERE type = ? AND key = ?",
                            [(row[3], row[4]) for row in changed],
                        )
                    conn.executemany(
                        "INSERT INTO entities (type, key, props, rev, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        created,
                    )
                    conn.executemany(
                        "UPDATE entities SET props = ?, rev = ?, updated_at = ? "
                        "WHERE type = ? AND key = ?",
                        changed,
                    )
                except sqlite3.IntegrityError as exc:
                    raise UniqueViolation(f"{type_name}: a unique value is taken ({exc})") from None
                new_rows = self._row_ids(conn, entity_type.name, [row[1] for row in created])
            self._after_write(
                lambda m: m.add_entities(
                    (row_id, global_id(type_name, key)) for key, row_id in new_rows.items()
                )
            )
            return WriteResult(
                created=len(created),
                updated=len(changed),
                unchanged=len(checked) - len(created) - len(changed),
            )

        return await self._call(run)

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

    def _check_unique_holders(
        self,
        conn: sqlite3.Connection,
        entity_type: EntityType,
        records: Sequence[Any],
        batch_unique: dict[str, dict[Any, int]],
    ) -> None:
        holders: dict[tuple[str, Any], str] = {}
        for name, values in batch_unique.items():
            by_sql = {sql_value(v): v for v in values}
            for chunk in _chunks(list(by_sql)):
                for key, value in conn.execute(
                    f"SELECT key, json_extract(props, ?) FROM entities WHERE type = ? AND "
                    f"json_extract(props, ?) IN ({', '.join('?' * len(chunk))})",
                    (f"$.{name}", entity_type.name, f"$.{name}", *chunk),
                ):
                    holders[(name, by_sql[value])] = key
        raise_unique_conflicts(batch_unique, records, holders, entity_type.name)

    async def get_entities(self, ids: Sequence[str]) -> list[Entity | None]:
        grouped = group_ids_by_type(ids)

        def run() -> list[Entity | None]:
            self._refresh()
            found: list[Entity | None] = [None] * len(ids)
            for type_name, wanted in grouped.items():
                entity_type = self._registry.entity_types.get(type_name)
                if entity_type is None:
                    continue
                positions: dict[str, list[int]] = {}
                for index, key in wanted:
                    positions.setdefault(key, []).append(index)
                for chunk in _chunks(list(positions)):
                    for row in self.conn.execute(
                        f"SELECT key, props, created_at, updated_at FROM entities "
                        f"WHERE type = ? AND key IN ({', '.join('?' * len(chunk))})",
                        (type_name, *chunk),
                    ):
                        entity = self._entity_from_row(entity_type, row)
                        for index in positions[entity.key]:
                            found[index] = entity
            return found

        return await self._call(run)

    async def list_entities(
        self,
        type_name: str,
        *,
        where: Any = None,
        order_by: Any = None,
        first: int = 50,
        after: str | None = None,
    ) -> Page[Entity]:
        def run() -> Page[Entity]:
            self._refresh()
            entity_type = self._registry.entity_type(type_name)
            size = check_page_size(first)
            flt = check_filter(entity_type, where)
            order = check_order(entity_type, order_by)
            base_params: list[Any] = [type_name]
            base_sql = "FROM entities e WHERE e.type = ?"
            if flt is not None:
                base_sql += " AND " + compile_filter(flt, base_params)
            total = int(self.conn.execute(f"SELECT count(*) {base_sql}", base_params).fetchone()[0])
            params = list(base_params)
            page_sql = base_sql
            if after is not None:
                values = decode_cursor(type_name, order, after)
                page_sql += " AND " + compile_filter(after_filter(order, values), params)
            order_sql = compile_order(order, params)
            params.append(size + 1)
            rows = self.conn.execute(
                f"SELECT e.key, e.props, e.created_at, e.updated_at {page_sql} "
                f"ORDER BY {order_sql} LIMIT ?",
                params,
            ).fetchall()
            items = [self._entity_from_row(entity_type, row) for row in rows[:size]]
            cursor = None
            if items:
                last = items[-1]
                cursor = encode_cursor(
                    type_name,
                    order,
                    order_values(
                        order, last.key, last.properties, last.created_at, last.updated_at
                    ),
                )
            return Page(items, total, cursor, len(rows) > size)

        return await self._call(run)

    async def delete_entities(self, ids: Sequence[str]) -> DeleteResult:
        grouped = group_ids_by_type(ids)

        def run() -> DeleteResult:
            with self._write() as conn:
                row_ids: list[int] = []
                for type_name, wanted in grouped.items():
                    row_ids.extend(self._row_ids(conn, type_name, [k for _, k in wanted]).values())
                relations = 0
                for chunk in _chunks(row_ids):
                    marks = ", ".join("?" * len(chunk))
                    relations += conn.execute(
                        f"DELETE FROM relations WHERE from_id IN ({marks}) OR to_id IN ({marks})",
                        (*chunk, *chunk),
                    ).rowcount
                    conn.execute(f"DELETE FROM entities WHERE id IN ({marks})", chunk)
            self._after_write(lambda m: m.remove_entities(row_ids))
            return DeleteResult(entities=len(row_ids), relations=relations)

        return await self._call(run)

    # -- relations -----------------------------------------------------------------------

    def _endpoint_ids(
        self,
        conn: sqlite3.Connection,
        relation_type: RelationType,
        pairs: Sequence[tuple[str, str]],
    ) -> tuple[dict[str, int], dict[str, int]]:
        from_ids = self._row_ids(conn, relation_type.from_type, sorted({f for f, _ in pairs}))
        to_ids = self._row_ids(conn, relation_type.to_type, sorted({t for _, t in pairs}))
        missing = [
            (row, end, global_id(type_name, key))
            for row, (from_key, to_key) in enumerate(pairs)
            for end, type_name, key, known in (
                ("from", relation_type.from_type, from_key, from_ids),
                ("to", relation_type.to_type, to_key, to_ids),
            )
            if key not in known
        ]
        raise_missing_endpoints(missing, relation_type.name)
        return from_ids, to_ids

    async def link(self, relation_type: str, links: Sequence[Mapping[str, Any]]) -> WriteResult:
        def run() -> WriteResult:
            self._refresh()
            rel = self._registry.relation_type(relation_type)
            checked = check_links(rel, links, with_properties=True)
            now = datetime_to_text(utc_now())
            with self._write() as conn:
                from_ids, to_ids = self._endpoint_ids(
                    conn, rel, [(c.from_key, c.to_key) for c in checked]
                )
                existing: dict[tuple[int, int], str] = {}
                edges = [(from_ids[c.from_key], to_ids[c.to_key]) for c in checked]
                for chunk in _chunks(edges):
                    clause = " OR ".join("(from_id = ? AND to_id = ?)" for _ in chunk)
                    flat = [v for edge in chunk for v in edge]
                    for f, t, rev in conn.execute(
                        f"SELECT from_id, to_id, rev FROM relations WHERE type = ? AND ({clause})",
                        (relation_type, *flat),
                    ):
                        existing[(f, t)] = rev
                created: list[tuple[Any, ...]] = []
                changed: list[tuple[Any, ...]] = []
                for record, edge in zip(checked, edges, strict=True):
                    rev = revision_of(rel, record.properties)
                    props = json.dumps(
                        properties_to_json(rel, record.properties), ensure_ascii=False
                    )
                    if edge not in existing:
                        created.append((relation_type, *edge, props, rev, now, now))
                    elif existing[edge] != rev:
                        changed.append((props, rev, now, relation_type, *edge))
                conn.executemany(
                    "INSERT INTO relations (type, from_id, to_id, props, rev, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    created,
                )
                conn.executemany(
                    "UPDATE relations SET props = ?, rev = ?, updated_at = ? "
                    "WHERE type = ? AND from_id = ? AND to_id = ?",
                    changed,
                )
            self._after_write(
                lambda m: m.add_edges((row[1], row[2], relation_type) for row in created)
            )
            return WriteResult(
                created=len(created),
                updated=len(changed),
                unchanged=len(checked) - len(created) - len(changed),
            )

        return await self._call(run)

    async def unlink(self, relation_type: str, links: Sequence[Mapping[str, Any]]) -> int:
        def run() -> int:
            self._refresh()
            rel = self._registry.relation_type(relation_type)
            checked = check_links(rel, links, with_properties=False)
            removed: list[tuple[int, int, str]] = []
            with self._write() as conn:
                from_ids = self._row_ids(conn, rel.from_type, [c.from_key for c in checked])
                to_ids = self._row_ids(conn, rel.to_type, [c.to_key for c in checked])
                for record in checked:
                    edge = (from_ids.get(record.from_key), to_ids.get(record.to_key))
                    if None in edge:
                        continue
                    cursor = conn.execute(
                        "DELETE FROM relations WHERE type = ? AND from_id = ? AND to_id = ?",
                        (relation_type, *edge),
                    )
                    if cursor.rowcount:
                        removed.append((edge[0], edge[1], relation_type))  # type: ignore[arg-type]
            self._after_write(lambda m: m.remove_edges(removed))
            return len(removed)

        return await self._call(run)

    def _relation_rows(
        self, rel: RelationType, after: tuple[str, str] | None, limit: int
    ) -> list[Relation]:
        params: list[Any] = [rel.name]
        sql = (
            "SELECT a.key, b.key, r.props, r.created_at, r.updated_at FROM relations r "
            "JOIN entities a ON a.id = r.from_id JOIN entities b ON b.id = r.to_id "
            "WHERE r.type = ?"
        )
        if after is not None:
            sql += " AND (a.key > ? OR (a.key = ? AND b.key > ?))"
            params.extend([after[0], after[0], after[1]])
        sql += " ORDER BY a.key, b.key LIMIT ?"
        params.append(limit)
        return [
            Relation(
                rel.name,
                global_id(rel.from_type, f),
                global_id(rel.to_type, t),
                properties_from_json(rel, json.loads(props)),
                _ts(created),
                _ts(updated),
            )
            for f, t, props, created, updated in self.conn.execute(sql, params)
        ]

    async def list_relations(
        self, relation_type: str, *, first: int = 50, after: str | None = None
    ) -> Page[Relation]:
        def run() -> Page[Relation]:
            self._refresh()
            rel = self._registry.relation_type(relation_type)
            size = check_page_size(first)
            position = decode_relation_cursor(after)
            rows = self._relation_rows(rel, position, size + 1)
            items = rows[:size]
            total = self._count_relations(self.conn, relation_type)
            cursor = encode_relation_cursor(items[-1]) if items else None
            return Page(items, total, cursor, len(rows) > size)

        return await self._call(run)

    # -- traversal -----------------------------------------------------------------------

    async def traverse(
        self,
        start: Sequence[str],
        steps: Sequence[Step | Mapping[str, Any]],
        *,
        max_depth: int | None = None,
        limit: int = 1_000,
        paths_per_target: int = 3,
    ) -> Traversal:
        start_ids = check_start_ids(start)

        def run() -> tuple[list[str], dict[str, Any], bool]:
            mirror = self._ensure_mirror()
            grouped = group_ids_by_type(start_ids)
            plan = plan_traversal(
                self._registry,
                set(grouped),
                steps,
                max_depth=max_depth,
                limit=limit,
                paths_per_target=paths_per_target,
                start=start_ids,
            )
            rows: list[int] = []
            for type_name, wanted in grouped.items():
                rows.extend(self._row_ids(self.conn, type_name, [k for _, k in wanted]).values())
            paths = mirror.traverse(plan, sorted(rows), self._load_fields)
            return select_paths(paths, plan.paths_per_target, plan.limit)

        reached_ids, paths, truncated = await self._call(run)
        entities = await self.get_entities(reached_ids)
        return Traversal([e for e in entities if e is not None], paths, truncated)

    def _load_fields(self, row_ids: Any) -> dict[int, dict[str, Any]]:
        fields: dict[int, dict[str, Any]] = {}
        wanted = list(row_ids)
        for chunk in _chunks(wanted):
            for row_id, type_name, key, props, created, updated in self.conn.execute(
                f"SELECT id, type, key, props, created_at, updated_at FROM entities "
                f"WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ):
                entity_type = self._registry.entity_types[type_name]
                fields[row_id] = {
                    **properties_from_json(entity_type, json.loads(props)),
                    "key": key,
                    "createdAt": _ts(created),
                    "updatedAt": _ts(updated),
                }
        return fields

    async def counts(self) -> Counts:
        def run() -> Counts:
            self._refresh()
            entities = dict.fromkeys(sorted(self._registry.entity_types), 0)
            entities.update(
                self.conn.execute("SELECT type, count(*) FROM entities GROUP BY type").fetchall()
            )
            relations = dict.fromkeys(sorted(self._registry.relation_types), 0)
            relations.update(
                self.conn.execute("SELECT type, count(*) FROM relations GROUP BY type").fetchall()
            )
            return Counts(entities, relations)

        return await self._call(run)

    # -- bulk transfer -------------------------------------------------------------------

    async def iter_entities(
        self, type_name: str, batch_size: int = 5_000
    ) -> AsyncIterator[list[Entity]]:
        after: str | None = None
        while True:
            page = await self.list_entities(type_name, first=min(batch_size, 1_000), after=after)
            if page.items:
                yield page.items
            if not page.has_next_page:
                return
            after = page.end_cursor

    async def iter_relations(
        self, relation_type: str, batch_size: int = 5_000
    ) -> AsyncIterator[list[Relation]]:
        after: str | None = None
        while True:
            page = await self.list_relations(
                relation_type, first=min(batch_size, 1_000), after=after
            )
            if page.items:
                yield page.items
            if not page.has_next_page:
                return
            after = page.end_cursor

    async def restore_registry(self, registry: Registry, changes: Sequence[RegistryChange]) -> None:
        def run() -> None:
            with self._write() as conn:
                if (
                    self._registry.version
                    or conn.execute("SELECT count(*) FROM entities").fetchone()[0]
                ):
                    raise InvalidInput("import needs an empty store: this one already has types")
                for change in changes:
                    data = change.to_json()
                    conn.execute(
                        "INSERT INTO registry_changes (version, kind, name, actor, at, before, "
                        "after) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (
                            data["version"],
                            data["kind"],
                            data["name"],
                            data["actor"],
                            data["at"],
                            json.dumps(data["before"]) if data["before"] else None,
                            json.dumps(data["after"]) if data["after"] else None,
                        ),
                    )
                for item in registry.definitions_json():
                    conn.execute(
                        "INSERT INTO type_defs (kind, name, definition) VALUES (?, ?, ?)",
                        (
                            item["kind"],
                            item["definition"]["name"],
                            json.dumps(item["definition"], ensure_ascii=False),
                        ),
                    )
                for entity_type in registry.entity_types.values():
                    for spec in entity_type.unique_properties:
                        schema.create_unique_index(conn, entity_type.name, spec.name)
                conn.execute(
                    "UPDATE meta SET value = ? WHERE name = 'registry_version'", (registry.version,)
                )
                self._registry = registry

        await self._guarded(run)

    async def restore_entities(self, type_name: str, entities: Sequence[Entity]) -> None:
        def run() -> None:
            entity_type = self._registry.entity_type(type_name)
            with self._write() as conn:
                conn.executemany(
                    "INSERT INTO entities (type, key, props, rev, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (
                            type_name,
                            e.key,
                            json.dumps(
                                properties_to_json(entity_type, e.properties), ensure_ascii=False
                            ),
                            revision_of(entity_type, e.properties),
                            datetime_to_text(e.created_at),
                            datetime_to_text(e.updated_at),
                        )
                        for e in entities
                    ],
                )
            self._mirror = None

        await self._call(run)

    async def restore_relations(self, relation_type: str, relations: Sequence[Relation]) -> None:
        def run() -> None:
            rel = self._registry.relation_type(relation_type)
            with self._write() as conn:
                pairs = [(r.from_id.split(":", 1)[1], r.to_id.split(":", 1)[1]) for r in relations]
                from_ids, to_ids = self._endpoint_ids(conn, rel, pairs)
                conn.executemany(
                    "INSERT INTO relations (type, from_id, to_id, props, rev, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            relation_type,
                            from_ids[f],
                            to_ids[t],
                            json.dumps(properties_to_json(rel, r.properties), ensure_ascii=False),
                            revision_of(rel, r.properties),
                            datetime_to_text(r.created_at),
                            datetime_to_text(r.updated_at),
                        )
                        for r, (f, t) in zip(relations, pairs, strict=True)
                    ],
                )
            self._mirror = None

        await self._call(run)
