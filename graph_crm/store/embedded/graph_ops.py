"""Relation listings, neighbors, traversal and counts on the embedded store."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from graph_crm.model.graph import (
    Counts,
    Neighbor,
    Relation,
    properties_from_json,
)
from graph_crm.model.neighbors import plan_neighbors
from graph_crm.model.records import (
    global_id,
)
from graph_crm.model.relation_counts import RelationCount, plan_relation_counts
from graph_crm.model.traversal import (
    Direction,
    Step,
    Traversal,
    plan_traversal,
)
from graph_crm.model.traversal_search import Found
from graph_crm.model.types import RelationType
from graph_crm.store.budget import current_budget, current_deadline
from graph_crm.store.common import (
    check_start_ids,
    group_ids_by_type,
)
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.entity_ops import EntityOps
from graph_crm.store.embedded.neighbor_sql import neighbors_sql
from graph_crm.store.embedded.rows import (
    chunks,
    count_relations,
    entity_from_row,
    row_ids,
    stored_time,
)
from graph_crm.store.links import LinkPlan
from graph_crm.store.listing import RelationListing, RelationPlan, Rows

#: Per asked entity that exists: a row with no relation (so one with none is known to
#: exist), then its relations per type, each way. json_each first, then the (type, key)
#: index, then each entity's relations by the from/to indexes: the work grows with the
#: relations of the entities asked, never with the graph.
RELATION_COUNTS_SQL: Final = (
    "WITH asked AS (SELECT e.id, e.type, e.key FROM json_each(?) j CROSS JOIN entities e "
    "ON e.type = json_extract(j.value, '$[0]') AND e.key = json_extract(j.value, '$[1]')) "
    "SELECT a.type, a.key, NULL, NULL, 0 FROM asked a "
    "UNION ALL SELECT a.type, a.key, r.type, 'OUT', count(*) FROM asked a "
    "CROSS JOIN relations r ON r.from_id = a.id GROUP BY a.id, r.type "
    "UNION ALL SELECT a.type, a.key, r.type, 'IN', count(*) FROM asked a "
    "CROSS JOIN relations r ON r.to_id = a.id GROUP BY a.id, r.type"
)


#: Per (from key, to key) pair asked, by its index: the stored relation between its ends.
RELATIONS_BETWEEN: Final = (
    "SELECT p.key, r.props, r.created_at, r.updated_at FROM json_each(?) p "
    "JOIN entities a ON a.type = ? AND a.key = json_extract(p.value, '$[0]') "
    "JOIN entities b ON b.type = ? AND b.key = json_extract(p.value, '$[1]') "
    "JOIN relations r ON r.type = ? AND r.from_id = a.id AND r.to_id = b.id"
)


def _relation(
    rel: RelationType, from_key: str, to_key: str, props: str, created: str, updated: str
) -> Relation:
    """A stored relation, from its ends' keys and its row's props and times."""
    return Relation(
        rel.name,
        global_id(rel.from_type, from_key),
        global_id(rel.to_type, to_key),
        properties_from_json(rel, json.loads(props)),
        stored_time(created),
        stored_time(updated),
    )


class GraphOps:
    def __init__(self, db: EmbeddedDatabase, entities: EntityOps) -> None:
        self.db = db
        #: Reads the entities a traversal reached.
        self.entities = entities

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
        return [_relation(rel, f, t, *row) for f, t, *row in self.db.conn.execute(sql, params)]

    async def relation_rows(self, plan: RelationPlan) -> Rows[RelationListing, Relation]:
        """Plan a listing with this read's registry; count its relations, read its rows."""

        def run() -> Rows[RelationListing, Relation]:
            listing = plan(self.db.refresh())
            rel = listing.relation_type
            rows = self._relation_rows(rel, listing.after, listing.limit)
            return Rows(listing, count_relations(self.db.conn, rel.name), rows)

        return await self.db.read(run)

    async def relations_between(self, plan: LinkPlan) -> list[Relation | None]:
        def run() -> list[Relation | None]:
            batch = plan(self.db.refresh())
            rel = batch.relation_type
            found: list[Relation | None] = [None] * len(batch.pairs)
            rows = self.db.conn.execute(
                RELATIONS_BETWEEN, (json.dumps(batch.pairs), rel.from_type, rel.to_type, rel.name)
            )
            for i, *row in rows:
                found[i] = _relation(rel, *batch.pairs[i], *row)
            return found

        return await self.db.read(run)

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
        def run() -> list[list[Neighbor]]:
            self.db.refresh()
            plan = plan_neighbors(
                self.db.registry,
                relation_type,
                direction,
                ids,
                where=where,
                order_by=order_by,
                first=first,
            )
            if not plan.keys:
                return []
            sql, params = neighbors_sql(plan)
            found: dict[str, list[Neighbor]] = {}
            for near_key, *far_row, props, created, updated in self.db.conn.execute(sql, params):
                entity = entity_from_row(plan.far_type, tuple(far_row))
                relation_props = properties_from_json(plan.relation, json.loads(props))
                found.setdefault(near_key, []).append(
                    plan.neighbor(
                        near_key, entity, relation_props, stored_time(created), stored_time(updated)
                    )
                )
            return plan.spread(found)

        return await self.db.read(run)

    async def relation_counts(self, ids: Sequence[str]) -> list[list[RelationCount]]:
        def run() -> list[list[RelationCount]]:
            plan = plan_relation_counts(self.db.refresh(), ids)
            asked = [[name, key] for name, keys in plan.keys.items() for key in keys]
            counted: dict[tuple[str, str], dict[tuple[str, str], int]] = {}
            for type_name, key, relation, way, total in self.db.conn.execute(
                RELATION_COUNTS_SQL, (json.dumps(asked),)
            ):
                found = counted.setdefault((type_name, key), {})
                if relation is not None:
                    found[relation, way] = total
            return plan.spread(
                {
                    entity: [
                        found.get((s.relation, s.direction.value), 0) for s in plan.slots[entity[0]]
                    ]
                    for entity, found in counted.items()
                }
            )

        return await self.db.read(run)

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

        def run() -> Found:
            mirror = self.db.ensure_mirror()
            grouped = group_ids_by_type(start_ids)
            plan = plan_traversal(
                self.db.registry,
                set(grouped),
                steps,
                max_depth=max_depth,
                limit=limit,
                paths_per_target=paths_per_target,
                start=start_ids,
            )
            rows: list[int] = []
            for type_name, wanted in grouped.items():
                rows.extend(row_ids(self.db.conn, type_name, [k for _, k in wanted]).values())
            # SQLite's progress handler cannot see the walk over the mirror: it checks
            # the call's deadline itself, every few thousand relations
            return mirror.traverse(
                plan,
                rows,
                self._load_fields,
                edge_budget=current_budget().edges,
                tick=current_deadline().check,
            )

        found = await self.db.read(run)
        by_id = {
            entity.id: entity
            for entity in await self.entities.get_entities([t.id for t in found.targets])
            if entity is not None
        }
        reached = [by_id[t.id] for t in found.targets if t.id in by_id]
        paths = {t.id: t.paths for t in found.targets if t.id in by_id}
        return Traversal(reached, paths, found.truncated)

    def _load_fields(self, rows: Any) -> dict[int, dict[str, Any]]:
        fields: dict[int, dict[str, Any]] = {}
        wanted = list(rows)
        for chunk in chunks(wanted):
            for row_id, type_name, key, props, created, updated in self.db.conn.execute(
                f"SELECT id, type, key, props, created_at, updated_at FROM entities "
                f"WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ):
                entity_type = self.db.registry.entity_types[type_name]
                fields[row_id] = {
                    **properties_from_json(entity_type, json.loads(props)),
                    "key": key,
                    "createdAt": stored_time(created),
                    "updatedAt": stored_time(updated),
                }
        return fields

    async def counts(self) -> Counts:
        def run() -> Counts:
            self.db.refresh()
            entities = dict.fromkeys(sorted(self.db.registry.entity_types), 0)
            entities.update(
                self.db.conn.execute("SELECT type, count(*) FROM entities GROUP BY type").fetchall()
            )
            relations = dict.fromkeys(sorted(self.db.registry.relation_types), 0)
            relations.update(
                self.db.conn.execute(
                    "SELECT type, count(*) FROM relations GROUP BY type"
                ).fetchall()
            )
            return Counts(entities, relations)

        return await self.db.read(run)
