"""Shared plumbing of the Neo4j backend: the driver, managed transactions, the cached
registry and its freshness, constraints, and value conversion.

Writes are managed transactions that first check the registry version they were
validated against; batches are ``UNWIND``ed. Every unit of work runs through the
:class:`~graph_crm.store.neo4j.availability.Guard`: transient failures are retried,
and a server that is down or hung fails the call fast with ``StoreUnavailable``.

Every transaction carries the time its store call has left as its timeout (the call's
deadline starts where the call does, from the caller's budget): the server terminates a
transaction past it and rolls it back, which the call reports as ``TimedOut``. The
server checks timeouts every ``db.transaction.monitor.check.interval`` (2 s by
default), so a call may overrun its budget by up to that much. A call whose awaiting
coroutine is cancelled (its client went away) makes the driver drop the connection, and
the server terminates the transaction of a dropped connection.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC
from typing import Any, LiteralString, TypeVar

from neo4j import (
    READ_ACCESS,
    WRITE_ACCESS,
    AsyncDriver,
    AsyncGraphDatabase,
    AsyncManagedTransaction,
    Query,
    unit_of_work,
)
from neo4j.time import Date as Neo4jDate
from neo4j.time import DateTime as Neo4jDateTime

from graph_crm.errors import Conflict, GraphCrmError, StoreUnavailable
from graph_crm.model.graph import Entity
from graph_crm.model.records import (
    global_id,
)
from graph_crm.model.registry import Registry
from graph_crm.model.types import (
    EntityType,
    PropertyKind,
    RelationType,
    _TypeDefinition,
)
from graph_crm.store.budget import Deadline, call_deadline, current_deadline
from graph_crm.store.common import (
    raise_missing_endpoints,
)
from graph_crm.store.logs import SLOW_STATEMENT_MS, neo4j_log, timed_work, work_name
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.availability import Guard, Neo4jTimeouts
from graph_crm.store.neo4j.compile import (
    neo4j_value,
    resolved,
)
from graph_crm.store.neo4j.errors import translated

R = TypeVar("R")
Work = Callable[[AsyncManagedTransaction], Awaitable[R]]
#: How long a read may use the cached registry before checking its version again.
REGISTRY_TTL_SECONDS = 1.0


def _cypher(query: str, /, **fragments: str) -> LiteralString:
    # Identifiers in templates are registry-checked; see graph_crm.store.neo4j.queries.
    return q.render(query, **fragments)


async def _rows(
    tx: AsyncManagedTransaction, query: LiteralString, **params: Any
) -> list[dict[str, Any]]:
    result = await tx.run(query, await resolved(tx, params))
    return await result.data()


def _statement_head(query: str) -> str:
    """A statement's first line of Cypher (its file's comments skipped), for the log."""
    lines = (line.strip() for line in query.splitlines())
    return next((line[:120] for line in lines if line and not line.startswith("//")), "")


def _tx_timeout(deadline: Deadline) -> float | None:
    """The server-side timeout of a transaction started now; TimedOut if none is left."""
    remaining = deadline.remaining()
    if remaining is None:
        return None
    if remaining <= 0:
        raise deadline.error()
    return remaining


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
    """Every defined property: its stored value, or null (which ``SET +=`` removes)."""
    return {
        spec.name: neo4j_value(spec.kind, props.get(spec.name)) for spec in definition.properties
    }


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


def new_driver(
    uri: str, auth: tuple[str, str] | None, timeouts: Neo4jTimeouts, *, probe: bool = False
) -> AsyncDriver:
    """A driver with the store's timeouts (``probe``: the guard's one-connection driver)."""
    return AsyncGraphDatabase.driver(
        uri,
        auth=auth,
        **(timeouts.probe_options() if probe else timeouts.driver_options()),
        # Queries name labels that may not exist yet: those warnings are expected noise.
        notifications_min_severity="OFF",
    )


class Neo4jCore:
    """State and helpers every part of the Neo4j backend shares."""

    def __init__(
        self,
        driver: AsyncDriver,
        database: str,
        guard: Guard,
        *,
        slow_statement_ms: float = SLOW_STATEMENT_MS,
    ) -> None:
        #: A unit of work past this many milliseconds is logged (see :mod:`..logs`).
        self.slow_statement_ms = slow_statement_ms
        self._driver = driver
        self._database = database
        self._guard = guard
        self._registry = Registry()
        self._checked_at = 0.0
        self._definitions = asyncio.Lock()

    async def close(self) -> None:
        try:
            await self._driver.close()
        finally:
            await self._guard.close()

    async def ping(self) -> None:
        if not await self._guard.answering():
            raise StoreUnavailable("Neo4j does not answer")

    def runtime_state(self) -> dict[str, float]:
        """Gauges and counters of this process's store, read without IO:

        ``units_running``: units of work (transactions, auto-commit statements) running
        now, each on one pooled connection (the driver exposes no public pool gauges, so
        this is the store's own count of connections in use); ``retries_total``: attempts
        run again after a transient failure or a broken connection since the store opened.
        """
        return {
            "units_running": float(self._guard.units_running),
            "retries_total": float(self._guard.retries_total),
        }

    async def _auto(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """An auto-commit statement (schema changes must run outside data transactions)."""

        async def attempt() -> list[dict[str, Any]]:
            statement = Query(query, timeout=_tx_timeout(current_deadline()))
            with timed_work(neo4j_log, "neo4j", _statement_head(query), self.slow_statement_ms):
                async with self._driver.session(database=self._database) as session:
                    result = await session.run(statement, params)
                    return await result.data()

        with call_deadline():
            async with translated():
                return await self._guard.run(attempt)

    async def _write_tx(self, work: Work[R]) -> R:
        return await self._managed(WRITE_ACCESS, work)

    async def _read_tx(self, work: Work[R]) -> R:
        return await self._managed(READ_ACCESS, work)

    async def _managed(self, access: str, work: Work[R]) -> R:
        async def attempt() -> R:
            # each attempt (the guard may retry) gets the time the call has left
            timed = unit_of_work(timeout=_tx_timeout(current_deadline()))(work)
            with timed_work(neo4j_log, "neo4j", work_name(work), self.slow_statement_ms):
                async with self._driver.session(
                    database=self._database, default_access_mode=access
                ) as session:
                    if access == WRITE_ACCESS:
                        return await session.execute_write(timed)
                    return await session.execute_read(timed)

        with call_deadline():
            async with translated():
                return await self._guard.run(attempt)

    async def _checked_write(self, build: Callable[[Registry], Work[R]]) -> R:
        """Validate against the cached registry, write only if it is still current."""
        for _ in range(3):
            registry = self._registry
            try:
                work = build(registry)
            except GraphCrmError:
                # Refused by the cached registry (say, a type another process just defined
                # is unknown here): refused only if that registry is still the current one.
                if await self._stored_version() == registry.version:
                    raise
                await self._reload_registry()
                continue

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

    async def registry(self) -> Registry:
        self._checked_at = 0.0
        return await self._fresh_registry()

    async def _stored_version(self) -> int:
        rows = await self._read_tx(lambda tx: _rows(tx, _cypher(q.REGISTRY_VERSION)))
        return int(rows[0]["version"])

    async def _fresh_registry(self) -> Registry:
        if time.monotonic() - self._checked_at > REGISTRY_TTL_SECONDS:
            if await self._stored_version() != self._registry.version:
                await self._reload_registry()
            self._checked_at = time.monotonic()
        return self._registry

    @staticmethod
    async def _registry_in(tx: AsyncManagedTransaction) -> Registry:
        rows = await _rows(tx, _cypher(q.REGISTRY_READ))
        stored = [
            (item["kind"], json.loads(item["definition"]))
            for item in rows[0]["definitions"]
            if item["definition"] is not None
        ]
        return Registry.from_stored(rows[0]["version"], stored)

    async def _reload_registry(self) -> Registry:
        self._registry = await self._read_tx(self._registry_in)
        self._checked_at = time.monotonic()
        return self._registry

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

    async def _reconcile_constraints(
        self, registry: Registry, *, drop: bool = True, droppable: set[str] | None = None
    ) -> None:
        """Make the database's graph_crm constraints match ``registry``.

        ``droppable``: drop only these of the constraints ``registry`` does not want (the
        ones one change may have made or left behind), never one another process has just
        made for a definition of its own that has not committed yet.
        """
        wanted = self._wanted_constraints(registry)
        existing = {row["name"] for row in await self._auto(_cypher(q.CONSTRAINT_LIST))}
        for name, statement in sorted(wanted.items()):
            if name not in existing:
                await self._auto(statement)
        if drop:
            for name in sorted(existing - set(wanted)):
                if droppable is not None and name not in droppable:
                    continue
                if name.startswith(("graph_crm_key_", "graph_crm_unique_")):
                    await self._auto(_cypher(q.CONSTRAINT_DROP, name=f"`{name}`"))

    async def _count(self, tx: AsyncManagedTransaction, type_name: str) -> int:
        rows = await _rows(tx, _cypher(q.ENTITY_COUNT, Label=q.label(type_name), where="true"))
        return int(rows[0]["total"])

    async def _count_relations(self, tx: AsyncManagedTransaction, name: str) -> int:
        rows = await _rows(
            tx,
            _cypher(q.RELATION_COUNT_PART, REL=q.rel_type(name), nameLiteral=q.name_literal(name)),
        )
        return int(rows[0]["total"])

    def _relation_fragments(self, rel: RelationType) -> dict[str, str]:
        return {
            "From": q.label(rel.from_type),
            "To": q.label(rel.to_type),
            "REL": q.rel_type(rel.name),
        }

    async def _raise_missing_ends(
        self, tx: AsyncManagedTransaction, rel: RelationType, pairs: list[tuple[str, str]]
    ) -> None:
        """Name every link row whose 'from' or 'to' entity does not exist."""
        rows = [{"index": i, "from": f, "to": t} for i, (f, t) in enumerate(pairs)]
        missing = []
        for row in await _rows(
            tx,
            _cypher(q.RELATION_MISSING_ENDS, From=q.label(rel.from_type), To=q.label(rel.to_type)),
            rows=rows,
        ):
            index = row["index"]
            if row["fromMissing"]:
                missing.append((index, "from", global_id(rel.from_type, pairs[index][0])))
            if row["toMissing"]:
                missing.append((index, "to", global_id(rel.to_type, pairs[index][1])))
        raise_missing_endpoints(missing, rel.name)
