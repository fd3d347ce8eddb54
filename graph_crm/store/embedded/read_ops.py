"""A whole read plan on the embedded store: one read, on one reader thread.

Each root is one statement (a lookup, or a page's count and rows); then, level by level,
each relation field is one statement for all the entities that hold it
(:func:`~graph_crm.store.embedded.neighbor_sql.neighbors_sql`, as a DataLoader's batch),
never one per entity. The resolvers make the same statements, but each is its own store
call and thread hop, with strawberry resolving every field in between. A guarded read
(:mod:`graph_crm.store.reads.guard`) checks the key and the registry version first, in
the same read.
"""

from __future__ import annotations

import json
import sqlite3

from graph_crm.model.graph import properties_from_json
from graph_crm.model.neighbors import NeighborPlan
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.entity_ops import listing_rows
from graph_crm.store.embedded.neighbor_sql import neighbors_sql
from graph_crm.store.embedded.rows import entity_from_row, stored_time
from graph_crm.store.reads.guard import ReadGuard
from graph_crm.store.reads.plan import (
    Far,
    Found,
    FoundPage,
    FoundRoot,
    LookupRoot,
    PageRoot,
    ReadPlan,
    RelationRead,
    Value,
)

_LOOKUP = "SELECT key, props, created_at, updated_at FROM entities WHERE type = ? AND key = ?"
_GUARD = (
    "SELECT 1 FROM api_keys WHERE id = ? AND secret_hash = ? AND role = ? AND revoked_at IS NULL"
)


class ReadOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def read_operation(
        self, plan: ReadPlan, guard: ReadGuard | None = None
    ) -> list[FoundRoot] | None:
        def run() -> list[FoundRoot] | None:
            registry = self.db.refresh()
            if guard is not None and not _passes(self.db.conn, guard, registry.version):
                return None
            return read_plan(self.db.conn, plan)

        return await self.db.read(run)


def _passes(conn: sqlite3.Connection, guard: ReadGuard, version: int) -> bool:
    """Whether ``guard``'s key is stored active with its secret hash and role, and the
    registry (just read, in this read) is at its version."""
    if version != guard.registry_version:
        return False
    row = conn.execute(_GUARD, (guard.key_id, guard.secret_hash, guard.role)).fetchone()
    return row is not None


def read_plan(conn: sqlite3.Connection, plan: ReadPlan) -> list[FoundRoot]:
    """Every root of ``plan``, and below them every relation field, level by level."""
    found: list[FoundRoot] = []
    level: list[tuple[Far, list[Found]]] = []
    for root in plan.roots:
        if isinstance(root, Value):
            found.append(None)
        elif isinstance(root, LookupRoot):
            entity_type = root.read.entity_type
            row = conn.execute(_LOOKUP, (entity_type.name, root.entity_key)).fetchone()
            item = None if row is None else Found(entity_from_row(entity_type, row), None, {})
            found.append(item)
            if item is not None:
                level.append((root.far, [item]))
        else:
            found.append(_page(conn, root, level))
    while level:
        level = [step for far, items in level for step in _expand(conn, far, items)]
    return found


def _page(
    conn: sqlite3.Connection, root: PageRoot, level: list[tuple[Far, list[Found]]]
) -> FoundPage:
    total, entities = listing_rows(conn, root.listing, counted=root.counted)
    rows = [Found(entity, None, {}) for entity in entities]
    # the row past the page only says whether more follow: nothing below it is read
    level.append((root.far, rows[: root.listing.size]))
    return FoundPage(total, rows)


def _expand(
    conn: sqlite3.Connection, far: Far, items: list[Found]
) -> list[tuple[Far, list[Found]]]:
    """Each relation field of ``items`` read in one statement; the next level."""
    below: list[tuple[Far, list[Found]]] = []
    for read in far.relations:
        children = _relation(conn, far, read, items)
        if children:
            below.append((read.far, children))
    return below


def _relation(
    conn: sqlite3.Connection, far: Far, read: RelationRead, items: list[Found]
) -> list[Found]:
    by_key: dict[str, list[Found]] = {}
    for item in items:
        item.children[read.slot] = []
        by_key.setdefault(item.entity.key, []).append(item)
    if read.first == 0 or not by_key:
        return []
    plan = NeighborPlan(
        relation=read.relation,
        direction=read.direction,
        near_type=far.entity_type,
        far_type=read.far_type,
        keys=tuple(by_key),
        where=read.where,
        order=read.order,
        first=read.first,
    )
    sql, params = neighbors_sql(plan)
    children: list[Found] = []
    for near_key, *far_row, props, created, updated in conn.execute(sql, params):
        entity = entity_from_row(read.far_type, tuple(far_row))
        relation = None
        if read.edge is not None:
            relation = plan.neighbor(
                near_key,
                entity,
                properties_from_json(read.relation, json.loads(props)),
                stored_time(created),
                stored_time(updated),
            ).relation
        # an entity reached from two parents is filed under each, as its own Found
        for parent in by_key[near_key]:
            child = Found(entity, relation, {})
            parent.children[read.slot].append(child)
            children.append(child)
    return children
