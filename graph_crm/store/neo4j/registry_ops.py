"""Type definitions on Neo4j.

Schema (constraints) cannot change inside a data transaction, so a definition
change creates the constraints it needs first, then records the change (its history
node and its audit record) under the registry lock, then reconciles constraints with
whatever registry won.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from neo4j import AsyncManagedTransaction

from graph_crm.clock import utc_now
from graph_crm.errors import Conflict
from graph_crm.impact.policy_registry import alter_policy, define_policy
from graph_crm.model.audit import definition_change
from graph_crm.model.records import (
    revision_of,
)
from graph_crm.model.registry import Alteration, Registry, RegistryChange
from graph_crm.model.types import (
    EntityType,
    RelationType,
    parse_entity_type,
    parse_relation_type,
)
from graph_crm.store.base import DEFAULT_ACTOR
from graph_crm.store.budget import outside_budget
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import write_audit
from graph_crm.store.neo4j.compile import (
    neo4j_value,
)
from graph_crm.store.neo4j.core import (
    Neo4jCore,
    _cypher,
    _decode_props,
    _rows,
)
from graph_crm.store.neo4j.errors import translated


class RegistryOps(Neo4jCore):
    async def registry_changes(self, since_version: int = 0) -> list[RegistryChange]:
        rows = await self._read_tx(
            lambda tx: _rows(tx, _cypher(q.REGISTRY_CHANGES), since=since_version)
        )
        return [RegistryChange.from_record(row["change"]) for row in rows]

    async def _change(
        self,
        compute: Callable[
            [Registry, AsyncManagedTransaction], Awaitable[tuple[Registry, RegistryChange]]
        ],
        plan: Callable[[Registry], Awaitable[Registry]] | None = None,
    ) -> Registry:
        """Apply one definition change under the registry lock.

        ``plan`` says what the registry will be (refusing early what cannot be done); its
        constraints are created before the transaction, and afterwards constraints are
        reconciled with whatever registry actually won. Within this process definition
        changes take turns: concurrent schema and registry transactions on one server
        would otherwise deadlock; across processes the registry lock keeps them apart.
        """
        async with self._definitions, translated():
            before = await self.registry()
            # the constraints this change may leave behind: its own, and its types' old ones
            touched = set(self._wanted_constraints(before))
            if plan is not None:
                planned = await plan(before)
                touched |= set(self._wanted_constraints(planned))
                await self._reconcile_constraints(planned, drop=False)

            async def run(tx: AsyncManagedTransaction) -> Registry:
                await _rows(tx, _cypher(q.REGISTRY_LOCK))
                current = await self._registry_in(tx)
                registry, change = await compute(current, tx)
                params = change.to_record()
                kind = change.kind.definition_kind
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
                await write_audit(tx, [definition_change(change)])
                return registry

            try:
                registry = await self._write_tx(run)
            finally:
                # the clean-up runs even when the change ran out of time
                with outside_budget():
                    actual = await self._reload_registry()
                    await self._reconcile_constraints(actual, droppable=touched)
        return registry

    async def define_entity_type(
        self, definition: EntityType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        entity_type = parse_entity_type(definition)

        async def plan(current: Registry) -> Registry:
            return current.define_entity_type(entity_type, actor=actor, at=utc_now())[0]

        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            return registry.define_entity_type(entity_type, actor=actor, at=utc_now())

        return await self._change(compute, plan)

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

        async def plan(current: Registry) -> Registry:
            # Refused changes fail here; allowed ones get their new constraints first.
            populated = await self._read_tx(lambda tx: self._count(tx, entity_type.name)) > 0
            return current.alter_entity_type(
                entity_type, populated=populated, actor=actor, at=utc_now()
            )[0]

        return await self._change(compute, plan)

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

        return await self._change(compute)

    async def define_relation_type(
        self, definition: RelationType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        relation_type = parse_relation_type(definition)

        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            return registry.define_relation_type(relation_type, actor=actor, at=utc_now())

        return await self._change(compute)

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
            if alteration.backfill:
                await self._revise_relations(tx, relation_type)
            return new, change

        return await self._change(compute)

    async def _revise_relations(
        self, tx: AsyncManagedTransaction, relation_type: RelationType
    ) -> None:
        """Back-filled relations get new revisions, so unchanged links stay unchanged."""
        fragments = self._relation_fragments(relation_type)
        rows = await _rows(tx, _cypher(q.RELATION_PROPS_ALL, REL=fragments["REL"]))
        revised = [
            {
                "from": row["from"],
                "to": row["to"],
                "rev": revision_of(relation_type, _decode_props(relation_type, row["props"])),
            }
            for row in rows
        ]
        await _rows(tx, _cypher(q.RELATION_REVISE, **fragments), rows=revised)

    async def drop_relation_type(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            registry.relation_type(name)
            populated = await self._count_relations(tx, name) > 0
            return registry.drop_relation_type(name, populated=populated, actor=actor, at=utc_now())

        return await self._change(compute)

    async def define_impact_policy(
        self, definition: Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            return define_policy(registry, definition, actor, at=utc_now())

        return await self._change(compute)

    async def alter_impact_policy(
        self, definition: Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            return alter_policy(registry, definition, actor, at=utc_now())

        return await self._change(compute)

    async def drop_impact_policy(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        async def compute(
            registry: Registry, tx: AsyncManagedTransaction
        ) -> tuple[Registry, RegistryChange]:
            return registry.drop_policy(name, actor=actor, at=utc_now())

        return await self._change(compute)
