"""The Neo4j backend's database: its transactions (:mod:`.transactions`) and the cached
registry every part validates against. Every part of the backend works through one
:class:`Neo4jDatabase`.

The registry is cached and its stored version checked at most every
:data:`REGISTRY_TTL_SECONDS` by reads; writes are validated against the cached registry
and first check, in their own transaction, that it is still the stored one
(:meth:`Neo4jDatabase.checked_write`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, LiteralString, TypeVar

from neo4j import AsyncManagedTransaction

from graph_crm.errors import Conflict, GraphCrmError
from graph_crm.model.registry import Registry
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.constraints import reconcile_constraints
from graph_crm.store.neo4j.statements import cypher, fetch, registry_whole
from graph_crm.store.neo4j.transactions import Transactions, Work
from graph_crm.store.validators import REGISTRY_VALIDATORS

R = TypeVar("R")
#: How long a read may use the cached registry before checking its version again.
REGISTRY_TTL_SECONDS = 1.0


class _StaleRegistry(Exception):
    pass


class Neo4jDatabase:
    """One Neo4j database as the backend's parts use it."""

    def __init__(self, transactions: Transactions) -> None:
        self.transactions = transactions
        #: The cached registry (see :meth:`fresh_registry`).
        self.registry = Registry(validators=REGISTRY_VALIDATORS)
        self._checked_at = 0.0
        #: Definition changes of this process take turns (see registry_ops).
        self.definitions_lock = asyncio.Lock()

    async def open(self) -> None:
        """Create the store's own constraints and index, initialise the registry, and
        reconcile constraints with it (healing an interrupted definition change)."""
        transactions = self.transactions
        await transactions.driver.verify_connectivity()
        # one change per version, as an older graph-crm made it: batches need (version, step)
        old = q.constraint_name("registry", "change_version")
        await transactions.auto(cypher(q.CONSTRAINT_DROP, name=old))
        await transactions.auto(cypher(q.REGISTRY_CONSTRAINTS))
        await transactions.auto(cypher(q.API_KEY_CONSTRAINT))
        await transactions.auto(cypher(q.AUDIT_INDEX))
        for statement in (
            q.INCIDENT_ID_CONSTRAINT,
            q.INCIDENT_ACTIVE_CONSTRAINT,
            q.INCIDENT_VERSION_INDEX,
            q.INCIDENT_FEED_CONSTRAINT,
            q.INCIDENT_CHANGE_INDEX,
            q.INTEGRATION_CONSTRAINT,
            q.EVENT_CONSTRAINT,
            q.EVENT_DUE_INDEX,
            q.WEBHOOK_CONSTRAINT,
            q.DELIVERY_CONSTRAINT,
            q.DELIVERY_DUE_INDEX,
            q.FAN_OUT_CONSTRAINT,
        ):
            await transactions.auto(cypher(statement))
        await transactions.write(lambda tx: fetch(tx, cypher(q.REGISTRY_INIT)))
        await self.reload_registry()
        # heal an interrupted change: each defined type owns its label's unique constraints
        await reconcile_constraints(transactions, self.registry, owned=self.registry.entity_types)

    async def read(self, work: Work[R]) -> R:
        return await self.transactions.read(work)

    async def read_statement(self, query: LiteralString, **params: Any) -> list[dict[str, Any]]:
        """One read statement, auto-committed: one round trip."""
        return await self.transactions.read_statement(query, **params)

    async def write(self, work: Work[R]) -> R:
        return await self.transactions.write(work)

    async def current_registry(self) -> Registry:
        """The stored registry, its version checked now."""
        self._checked_at = 0.0
        return await self.fresh_registry()

    async def fresh_registry(self) -> Registry:
        """The cached registry, its version checked if not within the last TTL."""
        if time.monotonic() - self._checked_at > REGISTRY_TTL_SECONDS:
            if await self._stored_version() != self.registry.version:
                await self.reload_registry()
            self._checked_at = time.monotonic()
        return self.registry

    async def registry_of_version(self, version: int) -> Registry:
        """The registry as of a stored ``version`` just read (with something else, in
        one round trip): the cached one if it is that version, else read again."""
        if version != self.registry.version:
            return await self.reload_registry()
        self._checked_at = time.monotonic()
        return self.registry

    async def reload_registry(self) -> Registry:
        # under the registry's lock, so never torn by a definition change (registry_whole)
        self.registry = await self.write(registry_whole)
        self._checked_at = time.monotonic()
        return self.registry

    async def _stored_version(self) -> int:
        rows = await self.read(lambda tx: fetch(tx, cypher(q.REGISTRY_VERSION)))
        return int(rows[0]["version"])

    async def checked_write(self, build: Callable[[Registry], Work[R]]) -> R:
        """Validate against the cached registry, write only if it is still current."""
        for _ in range(3):
            registry = self.registry
            try:
                work = build(registry)
            except GraphCrmError:
                # Refused by the cached registry (say, a type another process just defined
                # is unknown here): refused only if that registry is still the current one.
                if await self._stored_version() == registry.version:
                    raise
                await self.reload_registry()
                continue

            async def run(
                tx: AsyncManagedTransaction, work: Work[R] = work, version: int = registry.version
            ) -> R:
                current = await fetch(tx, cypher(q.REGISTRY_VERSION))
                if current[0]["version"] != version:
                    raise _StaleRegistry
                return await work(tx)

            try:
                return await self.write(run)
            except _StaleRegistry:
                await self.reload_registry()
        raise Conflict("the type registry kept changing during this write; retry")
