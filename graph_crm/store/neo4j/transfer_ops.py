"""Bulk export and import on Neo4j."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from neo4j import AsyncManagedTransaction

from graph_crm.clock import utc_now
from graph_crm.errors import Conflict, InvalidInput
from graph_crm.model.audit import AuditKind, relation_id
from graph_crm.model.graph import Entity, Relation
from graph_crm.model.records import (
    revision_of,
)
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.store.audit import import_data_record, import_registry_record
from graph_crm.store.base import DEFAULT_ACTOR
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import write_audit
from graph_crm.store.neo4j.constraints import reconcile_constraints
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.errors import translated
from graph_crm.store.neo4j.graph_ops import GraphOps
from graph_crm.store.neo4j.rollup_write import keep_current
from graph_crm.store.neo4j.statements import (
    cypher,
    fetch,
    raise_missing_ends,
    relation_fragments,
)
from graph_crm.store.neo4j.values import encode_props
from graph_crm.store.rollups import TouchedEntities, rollups_on_path


class TransferOps:
    def __init__(self, db: Neo4jDatabase, graph: GraphOps) -> None:
        self.db = db
        #: Counts the entities an import needs to find none of.
        self.graph = graph

    async def restore_registry(
        self,
        registry: Registry,
        changes: Sequence[RegistryChange],
        *,
        actor: str = DEFAULT_ACTOR,
    ) -> None:
        current = await self.db.current_registry()
        counts = await self.graph.counts()
        if current.version or any(counts.entities.values()):
            raise InvalidInput("import needs an empty store: this one already has types")
        async with translated():
            # the restored types own their labels' constraints: drop what they do not want
            await reconcile_constraints(self.db.transactions, registry, owned=registry.entity_types)
        definitions = [
            {
                "kind": item["kind"],
                "name": item["definition"]["name"],
                "definition": json.dumps(item["definition"], ensure_ascii=False),
            }
            for item in registry.definitions_json()
        ]
        change_rows = [change.to_record() for change in changes]

        async def work(tx: AsyncManagedTransaction) -> None:
            moved = await fetch(tx, cypher(q.REGISTRY_RESTORE), version=registry.version)
            if not moved:
                raise Conflict("the registry changed while importing; retry on an empty store")
            await fetch(tx, cypher(q.REGISTRY_RESTORE_DEFINITIONS), definitions=definitions)
            await fetch(tx, cypher(q.REGISTRY_RESTORE_CHANGES), changes=change_rows)
            await write_audit(tx, [import_registry_record(actor, registry, changes, utc_now())])

        await self.db.write(work)
        await self.db.reload_registry()

    async def restore_entities(
        self, type_name: str, entities: Sequence[Entity], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        entity_type = self.db.registry.entity_type(type_name)
        rows = [
            {
                "key": e.key,
                "id": e.id,
                "rev": revision_of(entity_type, e.properties),
                "props": encode_props(entity_type, e.properties),
                "createdAt": e.created_at,
                "updatedAt": e.updated_at,
            }
            for e in entities
        ]
        ids = [e.id for e in entities]

        async def work(tx: AsyncManagedTransaction) -> None:
            await fetch(tx, cypher(q.ENTITY_RESTORE, Label=q.label(type_name)), rows=rows)
            # rollups are not in the file: computed again, as relations arrive
            touched = {type_name: {e.key for e in entities}}
            await keep_current(tx, self.db.registry, touched)
            if ids:
                record = import_data_record(actor, AuditKind.ENTITY, type_name, ids, utc_now())
                await write_audit(tx, [record])

        await self.db.write(work)

    async def restore_relations(
        self, relation_type: str, relations: Sequence[Relation], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        rel = self.db.registry.relation_type(relation_type)
        rows: list[dict[str, Any]] = [
            {
                "from": r.from_id.split(":", 1)[1],
                "to": r.to_id.split(":", 1)[1],
                "props": encode_props(rel, r.properties),
                "createdAt": r.created_at,
                "updatedAt": r.updated_at,
            }
            for r in relations
        ]
        fragments = relation_fragments(rel)
        ids = [relation_id(relation_type, r.from_id, r.to_id) for r in relations]

        async def work(tx: AsyncManagedTransaction) -> None:
            await raise_missing_ends(tx, rel, [(row["from"], row["to"]) for row in rows])
            await fetch(tx, cypher(q.RELATION_RESTORE, **fragments), rows=rows)
            if rollups_on_path(self.db.registry, rel.name):
                touched = TouchedEntities()
                touched.add_ends(rel.from_type, rel.to_type, [(r["from"], r["to"]) for r in rows])
                await keep_current(tx, self.db.registry, touched.keys)
            if ids:
                kind = AuditKind.RELATION
                record = import_data_record(actor, kind, relation_type, ids, utc_now())
                await write_audit(tx, [record])

        await self.db.write(work)
