"""The Neo4j backend: entities are ``:Entity:<Type>`` nodes, relations are typed
relationships, and the registry lives in the same database (``_GraphCrm*`` nodes).

Writes are managed transactions (the driver retries transient failures) that first
check the registry version they were validated against; batches are ``UNWIND``ed.
Schema (constraints) cannot change inside a data transaction, so definition
changes create what they need first and reconcile constraints with the registry
afterwards; :meth:`open` reconciles too, healing any interrupted change.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC
from typing import Any, LiteralString, TypeVar

from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.time import Date as Neo4jDate
from neo4j.time import DateTime as Neo4jDateTime

from graph_crm.errors import Conflict, InvalidInput
from graph_crm.model.graph import Counts, DeleteResult, Entity, Page, Relation, WriteResult
from graph_crm.model.query import (
    after_filter,
    check_filter,
    check_order,
    check_page_size,
    decode_cursor,
    encode_cursor,
)
from graph_crm.model.records import (
    EntityRecord,
    check_entity_records,
    check_links,
    global_id,
    revision_of,
)
from graph_crm.model.registry import Alteration, Registry, RegistryChange
from graph_crm.model.traversal import Direction, Hop, Path, Step, Traversal, plan_traversal
from graph_crm.model.types import (
    EntityType,
    PropertyKind,
    RelationType,
    _TypeDefinition,
    parse_entity_type,
    parse_relation_type,
)
from graph_crm.model.values import utc_now
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
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.compile import (
    Params,
    compile_filter,
    compile_order,
    compile_traversal,
    neo4j_value,
)
from graph_crm.store.neo4j.errors import translated

R = TypeVar("R")
Work = Callable[[AsyncManagedTransaction], Awaitable[R]]
_SYSTEM = ("key", "id", "_rev", "createdAt", "updatedAt")
#: How long a read may use the cached registry before checking its version again.
REGISTRY_TTL_SECONDS = 1.0


def _cypher(query: str, /, **fragments: str) -> LiteralString:
    # Identifiers in templates are registry-checked; see graph_crm.store.neo4j.queries.
    return q.render(query, **fragments)


async def _rows(
    tx: AsyncManagedTransaction, query: LiteralString, **params: Any
) -> list[dict[str, Any]]:
    result = await tx.run(query, params)
    return await result.data()


def _native(value: Any) -> Any:
    if isinstance(value, Neo4jDateTime):
        return value.to_native().astimezone(UTC)
    if isinstance(value, Neo4jDate):
        return value.to_native()
    return value


def _decode_props(definition: _TypeDefinition, raw: Mapping[str, Any]) -> dict[str, Any]:
    kinds = {spec.name: spec.kind for spec in definition.properties}
    decoded: dict[str, Any] = {}
    for name in sorted(raw):
        kind = kinds.get(name)
        if kind is None or raw[name] is None:
            continue
        value = _native(raw[name])
        if kind is PropertyKind.JSON:
            value = json.loads(value)
        elif kind is PropertyKind.FLOAT:
            value = float(value)
        decoded[name] = value
    return decoded


def _encode_props(definition: _TypeDefinition, props: Mapping[str, Any]) -> dict[str, Any]:
    kinds = {spec.name: spec.kind for spec in definition.properties}
    return {name: neo4j_value(kinds[name], value) for name, value in props.items()}


def _entity(entity_type: EntityType, raw: Mapping[str, Any]) -> Entity:
    return Entity(
        entity_type.name,
        raw["key"],
        _decode_props(entity_type, raw),
        _native(raw["createdAt"]),
        _native(raw["updatedAt"]),
    )


class _StaleRegistry(Exception):
    pass


class Neo4jStore:
    backend = "neo4j"

    def __init__(self, driver: AsyncDriver, database: str) -> None:
        self._driver = driver
        self._database = database
        self._registry = Registry()
        self._checked_at = 0.0

    @classmethod
    async def open(
        cls, uri: str, *, user: str = "neo4j", password: str = "", database: str = "neo4j"
    ) -> Neo4jStore:
        auth = (user, password) if password else None
        driver = AsyncGraphDatabase.driver(
            uri,
            auth=auth,
            connection_timeout=5.0,
            max_transaction_retry_time=15.0,
            connection_acquisition_timeout=10.0,
            # Queries name labels that may not exist yet: those warnings are expected noise.
            notifications_min_severity="OFF",
        )
        store = cls(driver, database)
        try:
            async with translated():
                await driver.verify_connectivity()
                await store._auto(_cypher(q.REGISTRY_CONSTRAINTS))
                await store._write_tx(lambda tx: _rows(tx, _cypher(q.REGISTRY_INIT)))
                await store._reload_registry()
                await store._reconcile_constraints(store._registry)
        except BaseException:
            await driver.close()
            raise
        return store

    async def close(self) -> None:
        await self._driver.close()

    async def ping(self) -> None:
        async with translated():
            await self._driver.verify_connectivity()

    # -- plumbing ------------------------------------------------------------------------

    async def _auto(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """An auto-commit statement (schema changes must run outside data transactions)."""
        async with self._driver.session(database=self._database) as session:
            result = await session.run(query, params)
            return await result.data()

    async def _write_tx(self, work: Work[R]) -> R:
        async with translated(), self._driver.session(database=self._database) as session:
            return await session.execute_write(work)

    async def _read_tx(self, work: Work[R]) -> R:
        async with translated(), self._driver.session(database=self._database) as session:
            return await session.execute_read(work)

    async def _checked_write(self, build: Callable[[Registry], Work[R]]) -> R:
        """Validate against the cached registry, write only if it is still current."""
        for _ in range(3):
            registry = self._registry
            work = build(registry)

            async def run(
                tx: AsyncManagedTransaction, work: Work[R] = work, version: int = registry.version
            ) -> R:
                current = await _rows(tx, _cypher(q.REGISTRY_VERSION))
                if current[0]["version"] != version:
                    raise _StaleRegistry
                return await work(tx)

            try:
                return await self._write_tx(run)
            except _StaleRegistry:
                await self._reload_registry()
        raise Conflict("the type registry kept changing during this write; retry")

    async def _fresh_registry(self) -> Registry:
        if time.monotonic() - self._checked_at > REGISTRY_TTL_SECONDS:
            async with translated():
                rows = await self._read_tx(lambda tx: _rows(tx, _cypher(q.REGISTRY_VERSION)))
            if rows[0]["version"] != self._registry.version:
                await self._reload_registry()
            self._checked_at = time.monotonic()
        return self._registry

    @staticmethod
    async def _registry_in(tx: AsyncManagedTransaction) -> Registry:
        rows = await _rows(tx, _cypher(q.REGISTRY_READ))
        entity_types: list[EntityType] = []
        relation_types: list[RelationType] = []
        for item in rows[0]["definitions"]:
            if item["definition"] is None:
                continue
            data = json.loads(item["definition"])
            if item["kind"] == "entityType":
                entity_types.append(parse_entity_type(data))
            else:
                relation_types.append(parse_relation_type(data))
        return Registry.from_definitions(rows[0]["version"], entity_types, relation_types)

    async def _reload_registry(self) -> Registry:
        self._registry = await self._read_tx(self._registry_in)
        self._checked_at = time.monotonic()
        return self._registry

    # -- registry ------------------------------------------------------------------------

    async def registry(self) -> Registry:
        self._checked_at = 0.0
        return await self._fresh_registry()

    async def registry_changes(self, since_version: int = 0) -> list[RegistryChange]:
        rows = await self._read_tx(
            lambda tx: _rows(tx, _cypher(q.REGISTRY_CHANGES), since=since_version)
        )
        changes = []
        for row in rows:
            data = dict(row["change"])
            for field in ("before", "after"):
                data[field] = json.loads(data[field]) if data.get(field) else None
            changes.append(RegistryChange.from_json(data))
        return changes

    @staticmethod
    def _wanted_constraints(registry: Registry) -> dict[str, LiteralString]:
        wanted: dict[str, LiteralString] = {}
        for entity_type in registry.entity_types.values():
            name = q.constraint_name("key", entity_type.name)
            wanted[name.strip("`")] = _cypher(
                q.CONSTRAINT_KEY, name=name, Label=q.label(entity_type.name)
            )
            for spec in entity_type.unique_properties:
                name = q.constraint_name("unique", entity_type.name, spec.name)
                wanted[name.strip("`")] = _cypher(
                    q.CONSTRAINT_UNIQUE,
                    name=name,
                    Label=q.label(entity_type.name),
                    prop=q.prop(spec.name),
                )
        return wanted

    async def _reconcile_constraints(self, registry: Registry, *, drop: bool = True) -> None:
        """Make the database's graph_crm constraints match ``registry``."""
        wanted = self._wanted_constraints(registry)
        existing = {row["name"] for row in await self._auto(_cypher(q.CONSTRAINT_LIST))}
        for name, statement in sorted(wanted.items()):
            if name not in existing:
                await self._auto(statement)
        if drop:
            for name in sorted(existing - set(wanted)):
                if name.startswith(("graph_crm_key_", "graph_crm_unique_")):
                    await self._auto(_cypher(q.CONSTRAINT_DROP, name=f"`{name}`"))

    async def _change(
        self,
        compute: Callable[
            [Registry, AsyncManagedTransaction], Awaitable[tuple[Registry, RegistryChange]]
        ],
        planned: Registry | None,
    ) -> Registry:
        """Apply one definition change under the registry lock.

        ``planned`` (the expected result) gets its constraints before the transaction;
        afterwards constraints are reconciled with whatever registry actually won.
        """
        async with translated():
            if planned is not None:
                await self._reconcile_constraints(planned, drop=False)

            async def run(tx: AsyncManagedTransaction) -> Registry:
                await _rows(tx, _cypher(q.REGISTRY_LOCK))
                current = await self._registry_in(tx)
                registry, change = await compute(current, tx)
                data = change.to_json()
                params = {
                    **data,
                    "before": json.dumps(data["before"], ensure_ascii=False)
                    if data["before"]
                    else None,
                    "after": json.dumps(data["after"], ensure_ascii=False)
                    if data["after"]
                    else None,
                }
                kind = "entityType" if "ENTITY" in change.kind.value else "relationType"
                written = await _rows(
                    tx,
                    _cypher(q.REGISTRY_WRITE),
                    change=params,
                    kind=kind,
                    name=change.name,
                    definition=params["after"],
                )
                if not written:
                    raise Conflict("another definition change won the race; retry")
                return registry

            try:
                registry = await self._write_tx(run)
            finally:
                actual = await self._reload_registry()
                await self._reconcile_constraints(actual)
        return registry

    async def _count(self, tx: AsyncManagedTransaction, type_name: str) -> int:
        rows = await _rows(tx, _cypher(q.ENTITY_COUNT, Label=q.label(type_name), where="true"))
        return int(rows[0]["total"])

    async def _count_relations(self, tx: AsyncManagedTransaction, name: str) -> int:
        rows = await _rows(
            tx,
            _cypher(q.RELATION_COUNT_PART, REL=q.rel_type(name), nameLiteral=q.name_literal(name)),
        )
        return int(rows[0]["total"])

    async def define_entity_type(
        self, definition: EntityType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        entity_type = parse_entity_type(definition)
        current = await self.registry()
        planned, _ = current.define_entity_type(entity_type, actor=actor, at=utc_now())

        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            return registry.define_entity_type(entity_type, actor=actor, at=utc_now())

        return await self._change(compute, planned)

    async def alter_entity_type(
        self, definition: EntityType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        entity_type = parse_entity_type(definition)

        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            populated = await self._count(tx, entity_type.name) > 0
            new, change, alteration = registry.alter_entity_type(
                entity_type, populated=populated, actor=actor, at=utc_now()
            )
            await self._apply_alteration(tx, entity_type, alteration)
            return new, change

        current = await self.registry()
        populated = await self._read_tx(lambda tx: self._count(tx, entity_type.name)) > 0
        # Refused changes fail here; allowed ones get their new constraints first.
        planned, _, _ = current.alter_entity_type(
            entity_type, populated=populated, actor=actor, at=utc_now()
        )
        return await self._change(compute, planned)

    async def _apply_alteration(
        self, tx: AsyncManagedTransaction, entity_type: EntityType, alteration: Alteration
    ) -> None:
        if not alteration.backfill:
            return
        now = utc_now()
        kinds = {spec.name: spec.kind for spec in entity_type.properties}
        for name, value in sorted(alteration.backfill.items()):
            await _rows(
                tx,
                _cypher(q.ENTITY_BACKFILL, Label=q.label(entity_type.name), prop=q.prop(name)),
                value=neo4j_value(kinds[name], value),
                now=now,
            )
        rows = await _rows(tx, _cypher(q.ENTITY_PROPS_ALL, Label=q.label(entity_type.name)))
        revised = [
            {
                "key": row["props"]["key"],
                "rev": revision_of(entity_type, _decode_props(entity_type, row["props"])),
            }
            for row in rows
        ]
        await _rows(tx, _cypher(q.ENTITY_REVISE, Label=q.label(entity_type.name)), rows=revised)

    async def drop_entity_type(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            registry.entity_type(name)
            populated = await self._count(tx, name) > 0
            return registry.drop_entity_type(name, populated=populated, actor=actor, at=utc_now())

        return await self._change(compute, None)

    async def define_relation_type(
        self, definition: RelationType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        relation_type = parse_relation_type(definition)

        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            return registry.define_relation_type(relation_type, actor=actor, at=utc_now())

        return await self._change(compute, None)

    async def alter_relation_type(
        self, definition: RelationType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        relation_type = parse_relation_type(definition)

        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            populated = await self._count_relations(tx, relation_type.name) > 0
            new, change, alteration = registry.alter_relation_type(
                relation_type, populated=populated, actor=actor, at=utc_now()
            )
            kinds = {spec.name: spec.kind for spec in relation_type.properties}
            for name, value in sorted(alteration.backfill.items()):
                await _rows(
                    tx,
                    _cypher(
                        q.RELATION_BACKFILL, REL=q.rel_type(relation_type.name), prop=q.prop(name)
                    ),
                    value=neo4j_value(kinds[name], value),
                )
            return new, change

        return await self._change(compute, None)

    async def drop_relation_type(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            registry.relation_type(name)
            populated = await self._count_relations(tx, name) > 0
            return registry.drop_relation_type(name, populated=populated, actor=actor, at=utc_now())

        return await self._change(compute, None)

    # -- entities ------------------------------------------------------------------------

    async def upsert_entities(
        self, type_name: str, records: Sequence[Mapping[str, Any]]
    ) -> WriteResult:
        await self._fresh_registry()

        def build(registry: Registry) -> Work[WriteResult]:
            entity_type = registry.entity_type(type_name)
            checked = check_entity_records(entity_type, records)
            batch_unique = unique_values_in_batch(entity_type, checked)
            return lambda tx: self._upsert(tx, entity_type, checked, batch_unique)

        return await self._checked_write(build)

    async def _upsert(
        self,
        tx: AsyncManagedTransaction,
        entity_type: EntityType,
        checked: list[EntityRecord],
        batch_unique: dict[str, dict[Any, int]],
    ) -> WriteResult:
        label = q.label(entity_type.name)
        holders: dict[tuple[str, Any], str] = {}
        for name, values in batch_unique.items():
            if not values:
                continue
            for row in await _rows(
                tx,
                _cypher(q.ENTITY_UNIQUE_HOLDERS, Label=label, prop=q.prop(name)),
                values=list(values),
            ):
                holders[(name, _native(row["value"]))] = row["key"]
        raise_unique_conflicts(batch_unique, checked, holders, entity_type.name)
        existing = {
            row["key"]: row["rev"]
            for row in await _rows(
                tx, _cypher(q.ENTITY_REVISIONS, Label=label), keys=[r.key for r in checked]
            )
        }
        rows = []
        created = 0
        for record in checked:
            rev = revision_of(entity_type, record.properties)
            if existing.get(record.key) == rev:
                continue
            created += record.key not in existing
            rows.append(
                {
                    "key": record.key,
                    "id": global_id(entity_type.name, record.key),
                    "rev": rev,
                    "props": _encode_props(entity_type, record.properties),
                }
            )
        if rows:
            await _rows(tx, _cypher(q.ENTITY_UPSERT, Label=label), rows=rows, now=utc_now())
        return WriteResult(
            created=created, updated=len(rows) - created, unchanged=len(checked) - len(rows)
        )

    async def get_entities(self, ids: Sequence[str]) -> list[Entity | None]:
        grouped = group_ids_by_type(ids)
        registry = await self._fresh_registry()
        wanted = {name: keys for name, keys in grouped.items() if name in registry.entity_types}

        async def work(tx: AsyncManagedTransaction) -> list[Entity | None]:
            found: list[Entity | None] = [None] * len(ids)
            for type_name, positions in wanted.items():
                entity_type = registry.entity_types[type_name]
                by_key: dict[str, list[int]] = {}
                for index, key in positions:
                    by_key.setdefault(key, []).append(index)
                for row in await _rows(
                    tx, _cypher(q.ENTITY_GET, Label=q.label(type_name)), keys=list(by_key)
                ):
                    entity = _entity(entity_type, row["props"])
                    for index in by_key[entity.key]:
                        found[index] = entity
            return found

        return await self._read_tx(work)

    async def list_entities(
        self,
        type_name: str,
        *,
        where: Any = None,
        order_by: Any = None,
        first: int = 50,
        after: str | None = None,
    ) -> Page[Entity]:
        registry = await self._fresh_registry()
        entity_type = registry.entity_type(type_name)
        size = check_page_size(first)
        flt = check_filter(entity_type, where)
        order = check_order(entity_type, order_by)
        params = Params()
        where_text = compile_filter(flt, "n", params)
        count_query = _cypher(q.ENTITY_COUNT, Label=q.label(type_name), where=where_text)
        count_params = dict(params.values)
        if after is not None:
            values = decode_cursor(type_name, order, after)
            later = compile_filter(after_filter(order, values), "n", params)
            where_text = f"{where_text} AND {later}"
        list_query = _cypher(
            q.ENTITY_LIST,
            Label=q.label(type_name),
            where=where_text,
            order=compile_order(order, "n"),
        )

        async def work(tx: AsyncManagedTransaction) -> tuple[int, list[dict[str, Any]]]:
            total = await _rows(tx, count_query, **count_params)
            rows = await _rows(tx, list_query, **params.values, limit=size + 1)
            return int(total[0]["total"]), rows

        total, rows = await self._read_tx(work)
        items = [_entity(entity_type, row["props"]) for row in rows[:size]]
        cursor = None
        if items:
            last = items[-1]
            system = {"key": last.key, "createdAt": last.created_at, "updatedAt": last.updated_at}
            cursor = encode_cursor(
                type_name,
                order,
                [
                    system[o.field] if o.field in system else last.properties.get(o.field)
                    for o in order
                ],
            )
        return Page(items, total, cursor, len(rows) > size)

    async def delete_entities(self, ids: Sequence[str]) -> DeleteResult:
        grouped = group_ids_by_type(ids)
        registry = await self._fresh_registry()

        async def work(tx: AsyncManagedTransaction) -> DeleteResult:
            entities = relations = 0
            for type_name, wanted in grouped.items():
                if type_name not in registry.entity_types:
                    continue
                rows = await _rows(
                    tx,
                    _cypher(q.ENTITY_DELETE, Label=q.label(type_name)),
                    keys=[key for _, key in wanted],
                )
                entities += rows[0]["entities"]
                relations += rows[0]["relations"]
            return DeleteResult(entities, relations)

        return await self._write_tx(work)

    # -- relations -----------------------------------------------------------------------

    def _relation_fragments(self, rel: RelationType) -> dict[str, str]:
        return {
            "From": q.label(rel.from_type),
            "To": q.label(rel.to_type),
            "REL": q.rel_type(rel.name),
        }

    async def link(self, relation_type: str, links: Sequence[Mapping[str, Any]]) -> WriteResult:
        await self._fresh_registry()

        def build(registry: Registry) -> Work[WriteResult]:
            rel = registry.relation_type(relation_type)
            checked = check_links(rel, links, with_properties=True)
            rows = [
                {
                    "index": i,
                    "from": c.from_key,
                    "to": c.to_key,
                    "rev": revision_of(rel, c.properties),
                    "props": _encode_props(rel, c.properties),
                }
                for i, c in enumerate(checked)
            ]
            fragments = self._relation_fragments(rel)

            async def work(tx: AsyncManagedTransaction) -> WriteResult:
                await self._raise_missing_ends(tx, rel, rows)
                existing = {
                    row["index"]: row["rev"]
                    for row in await _rows(
                        tx, _cypher(q.RELATION_REVISIONS, **fragments), rows=rows
                    )
                }
                changed = [row for row in rows if existing.get(row["index"]) != row["rev"]]
                if changed:
                    await _rows(
                        tx, _cypher(q.RELATION_LINK, **fragments), rows=changed, now=utc_now()
                    )
                created = sum(1 for row in changed if row["index"] not in existing)
                return WriteResult(
                    created=created,
                    updated=len(changed) - created,
                    unchanged=len(rows) - len(changed),
                )

            return work

        return await self._checked_write(build)

    async def _raise_missing_ends(
        self, tx: AsyncManagedTransaction, rel: RelationType, rows: list[dict[str, Any]]
    ) -> None:
        missing = []
        for row in await _rows(
            tx,
            _cypher(q.RELATION_MISSING_ENDS, From=q.label(rel.from_type), To=q.label(rel.to_type)),
            rows=rows,
        ):
            source = rows[row["index"]]
            if row["fromMissing"]:
                missing.append((row["index"], "from", global_id(rel.from_type, source["from"])))
            if row["toMissing"]:
                missing.append((row["index"], "to", global_id(rel.to_type, source["to"])))
        raise_missing_endpoints(missing, rel.name)

    async def unlink(self, relation_type: str, links: Sequence[Mapping[str, Any]]) -> int:
        await self._fresh_registry()

        def build(registry: Registry) -> Work[int]:
            rel = registry.relation_type(relation_type)
            checked = check_links(rel, links, with_properties=False)
            rows = [{"from": c.from_key, "to": c.to_key} for c in checked]

            async def work(tx: AsyncManagedTransaction) -> int:
                result = await _rows(
                    tx, _cypher(q.RELATION_UNLINK, **self._relation_fragments(rel)), rows=rows
                )
                return int(result[0]["removed"]) if result else 0

            return work

        return await self._checked_write(build)

    async def list_relations(
        self, relation_type: str, *, first: int = 50, after: str | None = None
    ) -> Page[Relation]:
        registry = await self._fresh_registry()
        rel = registry.relation_type(relation_type)
        size = check_page_size(first)
        position = decode_relation_cursor(after)

        async def work(tx: AsyncManagedTransaction) -> tuple[int, list[dict[str, Any]]]:
            total = await self._count_relations(tx, rel.name)
            rows = await _rows(
                tx,
                _cypher(q.RELATION_LIST, **self._relation_fragments(rel)),
                after=list(position) if position else None,
                limit=size + 1,
            )
            return total, rows

        total, rows = await self._read_tx(work)
        items = [
            Relation(
                rel.name,
                global_id(rel.from_type, row["from"]),
                global_id(rel.to_type, row["to"]),
                _decode_props(rel, row["props"]),
                _native(row["props"]["createdAt"]),
                _native(row["props"]["updatedAt"]),
            )
            for row in rows[:size]
        ]
        cursor = encode_relation_cursor(items[-1]) if items else None
        return Page(items, total, cursor, len(rows) > size)

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
        registry = await self._fresh_registry()
        grouped = group_ids_by_type(start_ids)
        known = [name for name in grouped if name in registry.entity_types]
        plan = plan_traversal(
            registry,
            set(grouped),
            steps,
            max_depth=max_depth,
            limit=limit,
            paths_per_target=paths_per_target,
            start=start_ids,
        )
        if not known:
            return Traversal([], {}, False)
        params = Params()
        start_labels, pattern = compile_traversal(plan, known, params)
        query = _cypher(q.TRAVERSE, StartLabels=start_labels, pattern=pattern)
        arguments = {
            **params.values,
            "startKeys": sorted({key for ids in grouped.values() for _, key in ids}),
            "startIds": start_ids,
            "maxDepth": plan.max_depth,
            "pathsPerTarget": plan.paths_per_target,
            "limit": plan.limit + 1,
        }
        rows = await self._read_tx(lambda tx: _rows(tx, query, **arguments))
        truncated = len(rows) > plan.limit
        rows = rows[: plan.limit]
        paths = {
            row["id"]: [
                Path(
                    tuple(p["ids"]),
                    tuple(
                        Hop(relation, Direction(direction))
                        for relation, direction in zip(p["relations"], p["directions"], strict=True)
                    ),
                )
                for p in row["paths"]
            ]
            for row in rows
        }
        reached = [
            _entity(registry.entity_type(row["id"].split(":", 1)[0]), row["props"])
            for row in rows
        ]
        return Traversal(reached, paths, truncated)

    async def counts(self) -> Counts:
        registry = await self.registry()
        parts = [
            _cypher(q.ENTITY_COUNT_PART, Label=q.label(name), nameLiteral=q.name_literal(name))
            for name in sorted(registry.entity_types)
        ]
        rel_parts = [
            _cypher(q.RELATION_COUNT_PART, REL=q.rel_type(name), nameLiteral=q.name_literal(name))
            for name in sorted(registry.relation_types)
        ]

        async def work(tx: AsyncManagedTransaction) -> Counts:
            entities: dict[str, int] = {}
            relations: dict[str, int] = {}
            for part in parts:
                entities.update((row["name"], row["total"]) for row in await _rows(tx, part))
            for part in rel_parts:
                relations.update((row["name"], row["total"]) for row in await _rows(tx, part))
            return Counts(entities, relations)

        return await self._read_tx(work)

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
        current = await self.registry()
        counts = await self.counts()
        if current.version or any(counts.entities.values()):
            raise InvalidInput("import needs an empty store: this one already has types")
        async with translated():
            await self._reconcile_constraints(registry, drop=False)
        definitions = [
            {
                "kind": item["kind"],
                "name": item["definition"]["name"],
                "definition": json.dumps(item["definition"], ensure_ascii=False),
            }
            for item in registry.definitions_json()
        ]
        change_rows = []
        for change in changes:
            data = change.to_json()
            for field in ("before", "after"):
                data[field] = json.dumps(data[field], ensure_ascii=False) if data[field] else None
            change_rows.append(data)

        async def work(tx: AsyncManagedTransaction) -> None:
            moved = await _rows(tx, _cypher(q.REGISTRY_RESTORE), version=registry.version)
            if not moved:
                raise Conflict("the registry changed while importing; retry on an empty store")
            await _rows(tx, _cypher(q.REGISTRY_RESTORE_DEFINITIONS), definitions=definitions)
            await _rows(tx, _cypher(q.REGISTRY_RESTORE_CHANGES), changes=change_rows)

        await self._write_tx(work)
        await self._reload_registry()

    async def restore_entities(self, type_name: str, entities: Sequence[Entity]) -> None:
        entity_type = self._registry.entity_type(type_name)
        rows = [
            {
                "key": e.key,
                "id": e.id,
                "rev": revision_of(entity_type, e.properties),
                "props": _encode_props(entity_type, e.properties),
                "createdAt": e.created_at,
                "updatedAt": e.updated_at,
            }
            for e in entities
        ]
        await self._write_tx(
            lambda tx: _rows(tx, _cypher(q.ENTITY_RESTORE, Label=q.label(type_name)), rows=rows)
        )

    async def restore_relations(self, relation_type: str, relations: Sequence[Relation]) -> None:
        rel = self._registry.relation_type(relation_type)
        rows = [
            {
                "from": r.from_id.split(":", 1)[1],
                "to": r.to_id.split(":", 1)[1],
                "rev": revision_of(rel, r.properties),
                "props": _encode_props(rel, r.properties),
                "createdAt": r.created_at,
                "updatedAt": r.updated_at,
            }
            for r in relations
        ]
        fragments = self._relation_fragments(rel)

        async def work(tx: AsyncManagedTransaction) -> None:
            await self._raise_missing_ends(
                tx, rel, [{**row, "index": i} for i, row in enumerate(rows)]
            )
            await _rows(tx, _cypher(q.RELATION_RESTORE, **fragments), rows=rows)

        await self._write_tx(work)
