"""Type definitions on Neo4j (what a change means is worked out once, in
:mod:`graph_crm.store.definitions`).

Schema (constraints) cannot change inside a data transaction, so a batch of definition
changes creates the constraints it needs first, then records the batch (a history node
and an audit record per change) under the registry lock, then reconciles constraints
with whatever registry won.
"""

from __future__ import annotations

import json

from neo4j import AsyncManagedTransaction

from graph_crm.clock import utc_now
from graph_crm.errors import Conflict
from graph_crm.model.formula.stored import (
    Formulas,
    materialized_formulas,
    rollup_names,
    with_computed,
)
from graph_crm.model.records import (
    revision_of,
)
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.types import EntityType
from graph_crm.store.budget import outside_budget
from graph_crm.store.definition_batch import DefinitionBatch, Evolution
from graph_crm.store.definitions import Backfill, Population
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import write_audit
from graph_crm.store.neo4j.compile import (
    neo4j_value,
)
from graph_crm.store.neo4j.constraints import reconcile_constraints, wanted_constraints
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.errors import translated
from graph_crm.store.neo4j.rollup_write import recompute_all
from graph_crm.store.neo4j.statements import (
    count_entities,
    count_relations,
    cypher,
    fetch,
    registry_whole,
)
from graph_crm.store.neo4j.values import decode_props
from graph_crm.store.rollups import rollups_over

#: Entities whose computed values one statement rewrites after a definition change.
RECOMPUTE_BATCH = 5_000


class RegistryOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def registry(self) -> Registry:
        return await self.db.current_registry()

    def known_registry(self) -> Registry:
        return self.db.registry

    async def registry_changes(self, since_version: int = 0) -> list[RegistryChange]:
        rows = await self.db.read(
            lambda tx: fetch(tx, cypher(q.REGISTRY_CHANGES), since=since_version)
        )
        return [RegistryChange.from_record(row["change"]) for row in rows]

    async def apply_definitions(self, batch: DefinitionBatch, *, dry_run: bool = False) -> Registry:
        """Apply a batch of definition changes under the registry lock, as one version.

        A batch that may add constraints is first worked out against the current
        registry (refusing early what cannot be done), and its constraints are created
        before the transaction; afterwards constraints are reconciled with whatever
        registry actually won. Within this process definition changes take turns:
        concurrent schema and registry transactions on one server would otherwise
        deadlock; across processes the registry lock keeps them apart.
        """
        if dry_run:
            async with translated():
                return (await self._planned(batch)).registry
        async with self.db.definitions_lock, translated():
            before = await self.db.current_registry()
            # the constraints this batch may leave behind: its own, and its types' old ones
            touched = set(wanted_constraints(before))
            if batch.may_add_unique:
                planned = (await self._planned(batch)).registry
                touched |= set(wanted_constraints(planned))
                await reconcile_constraints(self.db.transactions, planned, drop=False)

            async def run(tx: AsyncManagedTransaction) -> Registry:
                evolution = await self._evolved(tx, batch)
                if evolution.unchanged:
                    return evolution.registry
                for backfill in evolution.backfills:
                    await self._backfill(tx, backfill, evolution.registry)
                written = await fetch(
                    tx,
                    cypher(q.REGISTRY_WRITE),
                    version=evolution.registry.version,
                    changes=[change.to_record() for change in evolution.changes],
                    definitions=[
                        {
                            "kind": stored.kind,
                            "name": stored.name,
                            "definition": None
                            if stored.definition is None
                            else json.dumps(stored.definition, ensure_ascii=False),
                        }
                        for stored in evolution.stored
                    ],
                )
                if not written:
                    raise Conflict("another definition change won the race; retry")
                await write_audit(tx, evolution.audit_records)
                return evolution.registry

            try:
                registry = await self.db.write(run)
            finally:
                # the clean-up runs even when the change ran out of time
                with outside_budget():
                    actual = await self.db.reload_registry()
                    await reconcile_constraints(
                        self.db.transactions,
                        actual,
                        droppable=touched,
                        owned={change.name for change in batch.changes},
                    )
        return registry

    async def _planned(self, batch: DefinitionBatch) -> Evolution:
        """``batch`` worked out and nothing written (a dry run): a write transaction
        only for the registry's lock, which :meth:`_evolved` takes."""
        return await self.db.write(lambda tx: self._evolved(tx, batch))

    async def _evolved(self, tx: AsyncManagedTransaction, batch: DefinitionBatch) -> Evolution:
        """``batch`` worked out against the registry stored, read in the write
        transaction ``tx`` under the registry's lock, which ``tx`` then holds: a change
        writes it, a dry run lets it go (:func:`~.statements.registry_whole`)."""
        current = await registry_whole(tx)
        populated = [
            counted for counted in batch.populations(current) if await self._populated(tx, counted)
        ]
        return batch.evolve(current, populated)

    async def _populated(self, tx: AsyncManagedTransaction, counted: Population) -> bool:
        if counted.kind == "entity":
            return await count_entities(tx, counted.type_name) > 0
        return await count_relations(tx, counted.type_name) > 0

    async def _backfill(
        self, tx: AsyncManagedTransaction, backfill: Backfill, registry: Registry
    ) -> None:
        definition = backfill.definition
        kinds = {spec.name: spec.kind for spec in definition.properties}
        if isinstance(definition, EntityType):
            definition = registry.entity_type(definition.name)
            now = utc_now()
            for name, value in sorted(backfill.values.items()):
                await fetch(
                    tx,
                    cypher(q.ENTITY_BACKFILL, Label=q.label(definition.name), prop=q.prop(name)),
                    value=neo4j_value(kinds[name], value),
                    now=now,
                )
            await self._revise_entities(
                tx,
                definition,
                materialized_formulas(registry, definition.name),
                rollup_names(registry, definition.name),
            )
            await recompute_all(tx, registry, rollups_over(registry, definition.name))
            return
        for name, value in sorted(backfill.values.items()):
            await fetch(
                tx,
                cypher(q.RELATION_BACKFILL, REL=q.rel_type(definition.name), prop=q.prop(name)),
                value=neo4j_value(kinds[name], value),
            )
        # relations keep no revision (relation_link compares their values): nothing to revise

    async def _revise_entities(
        self,
        tx: AsyncManagedTransaction,
        entity_type: EntityType,
        formulas: Formulas,
        rollups: frozenset[str],
    ) -> None:
        """Back-filled entities get new revisions, so unchanged upserts stay unchanged, and
        their computed values computed again (in batches of ``RECOMPUTE_BATCH`` rows)."""
        rows = await fetch(tx, cypher(q.ENTITY_PROPS_ALL, Label=q.label(entity_type.name)))
        kinds = {spec.name: spec.kind for spec in entity_type.properties}
        revised = []
        for index, row in enumerate(rows):
            # rollup values are left out: recomputed after, never part of a revision
            stored = {
                k: v for k, v in row["props"].items() if k not in formulas and k not in rollups
            }
            values = with_computed(
                formulas,
                decode_props(entity_type, stored),
                (entity_type.name, index),
                row["props"]["key"],
            )
            revised.append(
                {
                    "key": row["props"]["key"],
                    "rev": revision_of(entity_type, values),
                    "props": {
                        name: neo4j_value(kinds[name], values.get(name)) for name in formulas
                    },
                }
            )
        if not formulas:
            await fetch(tx, cypher(q.ENTITY_REVISE, Label=q.label(entity_type.name)), rows=revised)
            return
        now = utc_now()
        for start in range(0, len(revised), RECOMPUTE_BATCH):
            await fetch(
                tx,
                cypher(q.ENTITY_RECOMPUTE, Label=q.label(entity_type.name)),
                rows=revised[start : start + RECOMPUTE_BATCH],
                now=now,
            )
