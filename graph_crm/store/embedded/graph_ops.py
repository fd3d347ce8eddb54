"""Relations, traversal and counts on the embedded store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from graph_crm.model.graph import (
    Counts,
    Neighbor,
    Page,
    Relation,
    WriteResult,
    properties_from_json,
)
from graph_crm.model.neighbors import plan_neighbors
from graph_crm.model.query import (
    check_page_size,
)
from graph_crm.model.records import (
    check_links,
    encode_properties,
    global_id,
)
from graph_crm.model.traversal import (
    Direction,
    Step,
    Traversal,
    plan_traversal,
    select_paths,
)
from graph_crm.model.types import RelationType
from graph_crm.model.values import datetime_to_text, utc_now
from graph_crm.store.common import (
    check_start_ids,
    decode_relation_cursor,
    encode_relation_cursor,
    group_ids_by_type,
    raise_missing_endpoints,
)
from graph_crm.store.embedded.core import _chunks, _ts
from graph_crm.store.embedded.entity_ops import EntityOps
from graph_crm.store.embedded.neighbor_sql import neighbors_sql


class GraphOps(EntityOps):
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
                # A VALUES join probes the (type, from_id, to_id) index once per pair
                # (an OR of pairs would make SQLite scan every relation of the type).
                for chunk in _chunks(edges, 400):
                    values = ", ".join("(?, ?)" for _ in chunk)
                    for f, t, rev in conn.execute(
                        f"WITH wanted (f, t) AS (VALUES {values}) "
                        "SELECT r.from_id, r.to_id, r.rev FROM wanted JOIN relations r "
                        "ON r.type = ? AND r.from_id = wanted.f AND r.to_id = wanted.t",
                        (*(v for edge in chunk for v in edge), relation_type),
                    ):
                        existing[(f, t)] = rev
                created: list[tuple[Any, ...]] = []
                changed: list[tuple[Any, ...]] = []
                for record, edge in zip(checked, edges, strict=True):
                    props, rev = encode_properties(rel, record.properties)
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
            self._refresh()
            plan = plan_neighbors(
                self._registry,
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
            for near_key, *far_row, props, created, updated in self.conn.execute(sql, params):
                entity = self._entity_from_row(plan.far_type, tuple(far_row))
                relation_props = properties_from_json(plan.relation, json.loads(props))
                found.setdefault(near_key, []).append(
                    plan.neighbor(near_key, entity, relation_props, _ts(created), _ts(updated))
                )
            return plan.spread(found)

        return await self._call(run)

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
