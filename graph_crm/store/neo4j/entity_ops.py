"""Entity writes and reads on Neo4j."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from neo4j import AsyncManagedTransaction

from graph_crm.clock import utc_now
from graph_crm.model.graph import DeleteResult, Entity
from graph_crm.model.labels import label_property
from graph_crm.model.records import (
    global_id,
)
from graph_crm.store.audit import delete_record
from graph_crm.store.base import DEFAULT_ACTOR
from graph_crm.store.common import (
    group_ids_by_type,
    pick_entity,
)
from graph_crm.store.listing import EntityListing, EntityPlan, Rows
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.audit_ops import write_audit
from graph_crm.store.neo4j.compile import (
    Params,
    compile_filter,
    compile_order,
)
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.rollup_write import owners_of, recompute
from graph_crm.store.neo4j.statements import (
    cypher,
    fetch,
)
from graph_crm.store.neo4j.values import entity_from_props
from graph_crm.tracing import statement_span


class EntityOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def entity_labels(self, ids: Sequence[str]) -> dict[str, str]:
        grouped = group_ids_by_type(ids)
        registry = await self.db.fresh_registry()
        wanted = {name: keys for name, keys in grouped.items() if name in registry.entity_types}

        async def work(tx: AsyncManagedTransaction) -> dict[str, str]:
            labels: dict[str, str] = {}
            for type_name, positions in wanted.items():
                named = label_property(registry.entity_types[type_name])
                value = "null" if named is None else f"n.{q.prop(named)}"
                query = cypher(q.ENTITY_LABELS, Label=q.label(type_name), labelValue=value)
                keys = sorted({key for _, key in positions})
                with statement_span("neo4j", query):
                    result = await tx.run(query, keys=keys)
                    record = await result.single(strict=True)
                for key, label in record["labels"]:
                    found = label if isinstance(label, str) and label else key
                    labels[global_id(type_name, key)] = found
            return labels

        return await self.db.read(work)

    async def get_entities(self, ids: Sequence[str]) -> list[Entity | None]:
        grouped = group_ids_by_type(ids)
        registry = await self.db.fresh_registry()
        wanted = {name: keys for name, keys in grouped.items() if name in registry.entity_types}

        async def work(tx: AsyncManagedTransaction) -> list[Entity | None]:
            found: list[Entity | None] = [None] * len(ids)
            for type_name, positions in wanted.items():
                entity_type = registry.entity_types[type_name]
                by_key: dict[str, list[int]] = {}
                for index, key in positions:
                    by_key.setdefault(key, []).append(index)
                for row in await fetch(
                    tx, cypher(q.ENTITY_GET, Label=q.label(type_name)), keys=list(by_key)
                ):
                    entity = entity_from_props(entity_type, row["props"])
                    for index in by_key[entity.key]:
                        found[index] = pick_entity(found[index], entity, ids[index])
            return found

        return await self.db.read(work)

    async def entity_rows(self, plan: EntityPlan) -> Rows[EntityListing, Entity]:
        """Plan a listing with the current registry; count its matches, read its rows."""
        listing = plan(await self.db.fresh_registry())
        label = q.label(listing.entity_type.name)
        params = Params()
        where_text = compile_filter(listing.where, "n", params)
        count_query = cypher(q.ENTITY_COUNT, Label=label, where=where_text)
        count_params = dict(params.values)
        if listing.after is not None:
            later = compile_filter(listing.after, "n", params)
            where_text = f"{where_text} AND {later}"
        list_query = cypher(
            q.ENTITY_LIST, Label=label, where=where_text, order=compile_order(listing.order, "n")
        )

        async def work(tx: AsyncManagedTransaction) -> tuple[int, list[dict[str, Any]]]:
            total = await fetch(tx, count_query, **count_params)
            rows = await fetch(tx, list_query, **params.values, limit=listing.limit)
            return int(total[0]["total"]), rows

        total, rows = await self.db.read(work)
        entities = [entity_from_props(listing.entity_type, row["props"]) for row in rows]
        return Rows(listing, total, entities)

    async def delete_entities(
        self, ids: Sequence[str], *, actor: str = DEFAULT_ACTOR
    ) -> DeleteResult:
        grouped = group_ids_by_type(ids)
        registry = await self.db.fresh_registry()

        async def work(tx: AsyncManagedTransaction) -> DeleteResult:
            entities = relations = 0
            at = utc_now()
            records = []
            # the owners whose rollups go through what is deleted, found while the
            # relations are still there
            touched = {
                type_name: {key for _, key in wanted}
                for type_name, wanted in grouped.items()
                if type_name in registry.entity_types
            }
            owners = await owners_of(tx, registry, touched)
            for type_name, wanted in grouped.items():
                if type_name not in registry.entity_types:
                    continue
                (row,) = await fetch(
                    tx,
                    cypher(q.ENTITY_DELETE, Label=q.label(type_name)),
                    keys=[key for _, key in wanted],
                )
                entities += row["entities"]
                relations += row["relations"]
                if row["keys"]:
                    deleted = sorted(global_id(type_name, key) for key in row["keys"])
                    records.append(delete_record(actor, type_name, deleted, row["relations"], at))
            await recompute(tx, registry, owners)
            await write_audit(tx, records)
            return DeleteResult(entities, relations)

        return await self.db.write(work)
