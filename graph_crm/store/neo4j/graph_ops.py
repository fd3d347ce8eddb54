"""Relations, traversal (one statement) and counts on Neo4j."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from neo4j import AsyncManagedTransaction

from graph_crm.errors import LimitExceeded
from graph_crm.model.graph import Counts, Neighbor, Relation
from graph_crm.model.neighbors import plan_neighbors
from graph_crm.model.records import (
    global_id,
)
from graph_crm.model.relation_counts import RelationCount, RelationSlot, plan_relation_counts
from graph_crm.model.traversal import Direction, Hop, Path, Step, Traversal, plan_traversal
from graph_crm.model.traversal_search import OVER_BUDGET
from graph_crm.model.types import RelationType
from graph_crm.store.budget import current_budget
from graph_crm.store.common import (
    check_start_ids,
    group_ids_by_type,
)
from graph_crm.store.links import LinkPlan
from graph_crm.store.listing import RelationListing, RelationPlan, Rows
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.compile import (
    Params,
    compile_filter,
    compile_order,
)
from graph_crm.store.neo4j.database import Neo4jDatabase
from graph_crm.store.neo4j.statements import (
    count_relations,
    cypher,
    fetch,
    relation_fragments,
)
from graph_crm.store.neo4j.traverse_compile import SEPARATOR, compile_traverse
from graph_crm.store.neo4j.values import decode_props, entity_from_props, native


def _path(ids: str, directions: str, relations: str) -> Path:
    """A path as traverse.cypher joins it (see its header)."""
    return Path(
        tuple(ids.split(SEPARATOR)),
        tuple(
            Hop(relation, Direction.OUT if direction == "O" else Direction.IN)
            for relation, direction in zip(relations.split(SEPARATOR)[1:], directions, strict=True)
        ),
    )


def _degree(slot: RelationSlot) -> str:
    """A COUNT subquery of one slot (its relation type checked against the registry's pattern)."""
    rel = q.rel_type(slot.relation)
    arrow = f"-[:{rel}]->" if slot.direction is Direction.OUT else f"<-[:{rel}]-"
    return f"COUNT {{ (n){arrow}() }}"


def _relation(rel: RelationType, from_key: str, to_key: str, props: dict[str, Any]) -> Relation:
    """A stored relation, from its ends' keys and the relationship's properties."""
    return Relation(
        rel.name,
        global_id(rel.from_type, from_key),
        global_id(rel.to_type, to_key),
        decode_props(rel, props),
        native(props["createdAt"]),
        native(props["updatedAt"]),
    )


class GraphOps:
    def __init__(self, db: Neo4jDatabase) -> None:
        self.db = db

    async def relation_rows(self, plan: RelationPlan) -> Rows[RelationListing, Relation]:
        """Plan a listing with the current registry; count its relations, read its rows."""
        listing = plan(await self.db.fresh_registry())
        rel = listing.relation_type

        async def work(tx: AsyncManagedTransaction) -> tuple[int, list[dict[str, Any]]]:
            total = await count_relations(tx, rel.name)
            rows = await fetch(
                tx,
                cypher(q.RELATION_LIST, **relation_fragments(rel)),
                after=list(listing.after) if listing.after else None,
                limit=listing.limit,
            )
            return total, rows

        total, rows = await self.db.read(work)
        relations = [_relation(rel, row["from"], row["to"], row["props"]) for row in rows]
        return Rows(listing, total, relations)

    async def relations_between(self, plan: LinkPlan) -> list[Relation | None]:
        batch = plan(await self.db.fresh_registry())
        rel = batch.relation_type
        rows = [{"i": i, "from": f, "to": t} for i, (f, t) in enumerate(batch.pairs)]
        found: list[Relation | None] = [None] * len(rows)
        if not rows:
            return found
        query = cypher(q.RELATION_GET, **relation_fragments(rel))
        for row in await self.db.read(lambda tx: fetch(tx, query, rows=rows)):
            f, t = batch.pairs[row["i"]]
            found[row["i"]] = _relation(rel, f, t, row["props"])
        return found

    async def neighbors(
        self,
        relation_type: str,
        direction: Direction | str,
        ids: Sequence[str],
        *,
        where: Any = None,
        order_by: Any = None,
        first: int = 100,
    ) -> list[list[Neighbor]]:
        registry = await self.db.fresh_registry()
        plan = plan_neighbors(
            registry, relation_type, direction, ids, where=where, order_by=order_by, first=first
        )
        if not plan.keys:
            return []
        params = Params()
        query = cypher(
            q.NEIGHBORS_OUT if plan.direction is Direction.OUT else q.NEIGHBORS_IN,
            **relation_fragments(plan.relation),
            where=compile_filter(plan.where, "n", params),
            order=compile_order(plan.order, "n"),
        )
        arguments = {**params.values, "keys": plan.distinct_keys, "limit": plan.first}
        rows = await self.db.read(lambda tx: fetch(tx, query, **arguments))
        found = {
            row["nearKey"]: [
                plan.neighbor(
                    row["nearKey"],
                    entity_from_props(plan.far_type, item["props"]),
                    decode_props(plan.relation, item["rel"]),
                    native(item["rel"]["createdAt"]),
                    native(item["rel"]["updatedAt"]),
                )
                for item in row["neighbors"]
            ]
            for row in rows
        }
        return plan.spread(found)

    async def relation_counts(self, ids: Sequence[str]) -> list[list[RelationCount]]:
        plan = plan_relation_counts(await self.db.fresh_registry(), ids)
        if not plan.keys:
            return []
        parts = [
            q.render(
                q.RELATION_COUNTS_PART,
                Label=q.label(name),
                nameLiteral=q.name_literal(name),
                degrees=", ".join(map(_degree, plan.slots[name])),
            )
            for name in sorted(plan.keys)
        ]
        query = cypher(q.RELATION_COUNTS, countParts="\nUNION ALL\n".join(parts))
        keys = {name: list(found) for name, found in plan.keys.items()}
        rows = await self.db.read(lambda tx: fetch(tx, query, keys=keys))
        return plan.spread({(row["type"], row["key"]): row["counts"] for row in rows})

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
        edge_budget = current_budget().edges
        registry = await self.db.fresh_registry()
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
        query, arguments = compile_traverse(plan, known, params, edge_budget=edge_budget)
        arguments = {
            **params.values,
            **arguments,
            "startKeys": sorted({key for ids in grouped.values() for _, key in ids}),
            "startIds": start_ids,
        }
        [row] = await self.db.read(lambda tx: fetch(tx, query, **arguments))
        if row["exceeded"]:
            assert edge_budget is not None
            raise LimitExceeded(OVER_BUDGET.format(budget=edge_budget))
        paths = {
            target["id"]: [
                _path(ids, directions, relations) for ids, directions, relations in target["paths"]
            ]
            for target in row["reached"]
        }
        reached = [
            entity_from_props(registry.entity_type(target["id"].split(":", 1)[0]), target["props"])
            for target in row["reached"]
        ]
        return Traversal(reached, paths, bool(row["truncated"]))

    async def counts(self) -> Counts:
        registry = await self.db.current_registry()
        parts = [
            cypher(q.ENTITY_COUNT_PART, Label=q.label(name), nameLiteral=q.name_literal(name))
            for name in sorted(registry.entity_types)
        ]
        rel_parts = [
            cypher(q.RELATION_COUNT_PART, REL=q.rel_type(name), nameLiteral=q.name_literal(name))
            for name in sorted(registry.relation_types)
        ]

        async def work(tx: AsyncManagedTransaction) -> Counts:
            entities: dict[str, int] = {}
            relations: dict[str, int] = {}
            for part in parts:
                entities.update((row["name"], row["total"]) for row in await fetch(tx, part))
            for part in rel_parts:
                relations.update((row["name"], row["total"]) for row in await fetch(tx, part))
            return Counts(entities, relations)

        return await self.db.read(work)
