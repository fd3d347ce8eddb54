"""Entity writes and reads on the embedded store."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from graph_crm.clock import utc_now
from graph_crm.model.audit import AuditRecord
from graph_crm.model.graph import (
    DeleteResult,
    Entity,
)
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
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.rollup_write import owners_of, recompute
from graph_crm.store.embedded.rows import chunks, entity_from_row, row_ids
from graph_crm.store.embedded.sql import RelatedSets, compile_filter, compile_order
from graph_crm.store.listing import EntityListing, EntityPlan, Rows


class EntityOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def entity_labels(self, ids: Sequence[str]) -> dict[str, str]:
        grouped = group_ids_by_type(ids)

        def run() -> dict[str, str]:
            self.db.refresh()
            labels: dict[str, str] = {}
            for type_name, wanted in grouped.items():
                entity_type = self.db.registry.entity_types.get(type_name)
                if entity_type is None:
                    continue
                named = label_property(entity_type)
                # a checked property name: the JSON path is a bound parameter all the same
                path = "$.missing" if named is None else f"$.{named}"
                for chunk in chunks(sorted({key for _, key in wanted})):
                    for key, label in self.db.conn.execute(
                        f"SELECT key, json_extract(props, ?) FROM entities "
                        f"WHERE type = ? AND key IN ({', '.join('?' * len(chunk))})",
                        (path, type_name, *chunk),
                    ):
                        found = label if isinstance(label, str) and label else key
                        labels[global_id(type_name, key)] = found
            return labels

        return await self.db.read(run)

    async def get_entities(self, ids: Sequence[str]) -> list[Entity | None]:
        grouped = group_ids_by_type(ids)

        def run() -> list[Entity | None]:
            self.db.refresh()
            found: list[Entity | None] = [None] * len(ids)
            for type_name, wanted in grouped.items():
                entity_type = self.db.registry.entity_types.get(type_name)
                if entity_type is None:
                    continue
                positions: dict[str, list[int]] = {}
                for index, key in wanted:
                    positions.setdefault(key, []).append(index)
                for chunk in chunks(list(positions)):
                    for row in self.db.conn.execute(
                        f"SELECT key, props, created_at, updated_at FROM entities "
                        f"WHERE type = ? AND key IN ({', '.join('?' * len(chunk))})",
                        (type_name, *chunk),
                    ):
                        entity = entity_from_row(entity_type, row)
                        for index in positions[entity.key]:
                            found[index] = pick_entity(found[index], entity, ids[index])
            return found

        return await self.db.read(run)

    async def entity_rows(self, plan: EntityPlan) -> Rows[EntityListing, Entity]:
        """Plan a listing with this read's registry; count its matches, read its rows."""

        def run() -> Rows[EntityListing, Entity]:
            listing = plan(self.db.refresh())
            total, rows = listing_rows(self.db.conn, listing, counted=True)
            assert total is not None
            return Rows(listing, total, rows)

        return await self.db.read(run)

    async def delete_entities(
        self, ids: Sequence[str], *, actor: str = DEFAULT_ACTOR
    ) -> DeleteResult:
        grouped = group_ids_by_type(ids)

        def run() -> DeleteResult:
            deleted_rows: list[int] = []
            relations = 0
            registry = self.db.refresh()
            with self.db.write() as conn:
                at = utc_now()
                records: list[AuditRecord] = []
                # the owners whose rollups go through what is deleted, found while the
                # relations are still there
                touched = {
                    type_name: {k for _, k in wanted} for type_name, wanted in grouped.items()
                }
                owners = owners_of(conn, registry, touched)
                for type_name, wanted in grouped.items():
                    found = row_ids(conn, type_name, [k for _, k in wanted])
                    removed = self._delete_rows(conn, list(found.values()))
                    deleted_rows.extend(found.values())
                    relations += removed
                    if found:
                        deleted = sorted(global_id(type_name, key) for key in found)
                        records.append(delete_record(actor, type_name, deleted, removed, at))
                recompute(conn, registry, owners)
                insert_audit(conn, records)
            self.db.after_write(lambda m: m.remove_entities(deleted_rows))
            return DeleteResult(entities=len(deleted_rows), relations=relations)

        return await self.db.call(run)

    def _delete_rows(self, conn: sqlite3.Connection, rows: list[int]) -> int:
        """Delete entity rows and their relations; returns how many relations went."""
        relations = 0
        for chunk in chunks(rows):
            marks = ", ".join("?" * len(chunk))
            relations += conn.execute(
                f"DELETE FROM relations WHERE from_id IN ({marks}) OR to_id IN ({marks})",
                (*chunk, *chunk),
            ).rowcount
            conn.execute(f"DELETE FROM entities WHERE id IN ({marks})", chunk)
        return relations


def listing_rows(
    conn: sqlite3.Connection, listing: EntityListing, *, counted: bool
) -> tuple[int | None, list[Entity]]:
    """A listing's count of every match (if ``counted``) and up to ``limit`` entities in
    its order, after its cursor: two statements on ``conn``."""
    entity_type = listing.entity_type
    base_params: list[Any] = [entity_type.name]
    base_sql = "FROM entities e WHERE e.type = ?"
    sets = RelatedSets()
    if listing.where is not None:
        base_sql += " AND " + compile_filter(listing.where, base_params, sets)
    # the sets nested quantifiers read come first: their WITH clause and parameters
    with_sql = sets.clause()
    total = None
    if counted:
        total = int(
            conn.execute(
                f"{with_sql}SELECT count(*) {base_sql}", [*sets.params, *base_params]
            ).fetchone()[0]
        )
    params = [*sets.params, *base_params]
    page_sql = base_sql
    if listing.after is not None:
        page_sql += " AND " + compile_filter(listing.after, params)
    order_sql = compile_order(listing.order, params)
    params.append(listing.limit)
    rows = conn.execute(
        f"{with_sql}SELECT e.key, e.props, e.created_at, e.updated_at {page_sql} "
        f"ORDER BY {order_sql} LIMIT ?",
        params,
    ).fetchall()
    return total, [entity_from_row(entity_type, row) for row in rows]
