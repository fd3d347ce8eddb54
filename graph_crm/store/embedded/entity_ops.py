"""Entity writes and reads on the embedded store."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from graph_crm.clock import utc_now
from graph_crm.errors import UniqueViolation
from graph_crm.model.audit import AuditRecord
from graph_crm.model.graph import (
    DeleteResult,
    Entity,
    WriteResult,
)
from graph_crm.model.labels import label_property
from graph_crm.model.records import (
    check_entity_records,
    encode_properties,
    global_id,
)
from graph_crm.model.types import EntityType
from graph_crm.model.values import datetime_to_text
from graph_crm.store.audit import delete_record, upsert_record
from graph_crm.store.base import DEFAULT_ACTOR
from graph_crm.store.common import (
    group_ids_by_type,
    pick_entity,
    raise_unique_conflicts,
    unique_values_in_batch,
)
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.rows import chunks, entity_from_row, row_ids
from graph_crm.store.embedded.sql import RelatedSets, compile_filter, compile_order, sql_value
from graph_crm.store.listing import EntityListing, EntityPlan, Rows


class EntityOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def upsert_entities(
        self, type_name: str, records: Sequence[Mapping[str, Any]], *, actor: str = DEFAULT_ACTOR
    ) -> WriteResult:
        def run() -> WriteResult:
            self.db.refresh()
            entity_type = self.db.registry.entity_type(type_name)
            checked = check_entity_records(entity_type, records)
            batch_unique = unique_values_in_batch(entity_type, checked)
            with self.db.write() as conn:
                # Taken under the write lock, so the audit log's time order is commit order.
                at = utc_now()
                now = datetime_to_text(at)
                self._check_unique_holders(conn, entity_type, checked, batch_unique)
                existing: dict[str, str] = {}
                for chunk in chunks([r.key for r in checked]):
                    existing.update(
                        conn.execute(
                            f"SELECT key, rev FROM entities WHERE type = ? AND key IN "
                            f"({', '.join('?' * len(chunk))})",
                            (entity_type.name, *chunk),
                        ).fetchall()
                    )
                created: list[tuple[Any, ...]] = []
                changed: list[tuple[Any, ...]] = []
                for record in checked:
                    props, rev = encode_properties(entity_type, record.properties)
                    if record.key not in existing:
                        created.append((entity_type.name, record.key, props, rev, now, now))
                    elif existing[record.key] != rev:
                        changed.append((props, rev, now, entity_type.name, record.key))
                try:
                    if changed and entity_type.unique_properties:
                        # SQLite checks uniqueness row by row: release the old values first
                        # so that rows of one batch may trade unique values.
                        conn.executemany(
                            "UPDATE entities SET props = '{}' WHERE type = ? AND key = ?",
                            [(row[3], row[4]) for row in changed],
                        )
                    conn.executemany(
                        "INSERT INTO entities (type, key, props, rev, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        created,
                    )
                    conn.executemany(
                        "UPDATE entities SET props = ?, rev = ?, updated_at = ? "
                        "WHERE type = ? AND key = ?",
                        changed,
                    )
                except sqlite3.IntegrityError:
                    raise UniqueViolation(
                        f"{type_name}: a unique value was taken by a concurrent write; retry"
                    ) from None
                new_rows = row_ids(conn, entity_type.name, [row[1] for row in created])
                result = WriteResult(
                    created=len(created),
                    updated=len(changed),
                    unchanged=len(checked) - len(created) - len(changed),
                )
                written = {row[1] for row in created} | {row[4] for row in changed}
                if written:
                    ids = [global_id(type_name, r.key) for r in checked if r.key in written]
                    insert_audit(conn, [upsert_record(actor, type_name, ids, result, at)])
            self.db.after_write(
                lambda m: m.add_entities(
                    (row_id, global_id(type_name, key)) for key, row_id in new_rows.items()
                )
            )
            return result

        return await self.db.call(run)

    def _check_unique_holders(
        self,
        conn: sqlite3.Connection,
        entity_type: EntityType,
        records: Sequence[Any],
        batch_unique: dict[str, dict[Any, int]],
    ) -> None:
        holders: dict[tuple[str, Any], str] = {}
        for name, values in batch_unique.items():
            by_sql = {sql_value(v): v for v in values}
            for chunk in chunks(list(by_sql)):
                for key, value in conn.execute(
                    f"SELECT key, json_extract(props, ?) FROM entities WHERE type = ? AND "
                    f"json_extract(props, ?) IN ({', '.join('?' * len(chunk))})",
                    (f"$.{name}", entity_type.name, f"$.{name}", *chunk),
                ):
                    holders[(name, by_sql[value])] = key
        raise_unique_conflicts(batch_unique, records, holders, entity_type.name)

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
            entity_type = listing.entity_type
            base_params: list[Any] = [entity_type.name]
            base_sql = "FROM entities e WHERE e.type = ?"
            sets = RelatedSets()
            if listing.where is not None:
                base_sql += " AND " + compile_filter(listing.where, base_params, sets)
            # the sets nested quantifiers read come first: their WITH clause and parameters
            with_sql = sets.clause()
            total = int(
                self.db.conn.execute(
                    f"{with_sql}SELECT count(*) {base_sql}", [*sets.params, *base_params]
                ).fetchone()[0]
            )
            params = [*sets.params, *base_params]
            page_sql = base_sql
            if listing.after is not None:
                page_sql += " AND " + compile_filter(listing.after, params)
            order_sql = compile_order(listing.order, params)
            params.append(listing.limit)
            rows = self.db.conn.execute(
                f"{with_sql}SELECT e.key, e.props, e.created_at, e.updated_at {page_sql} "
                f"ORDER BY {order_sql} LIMIT ?",
                params,
            ).fetchall()
            return Rows(listing, total, [entity_from_row(entity_type, row) for row in rows])

        return await self.db.read(run)

    async def delete_entities(
        self, ids: Sequence[str], *, actor: str = DEFAULT_ACTOR
    ) -> DeleteResult:
        grouped = group_ids_by_type(ids)

        def run() -> DeleteResult:
            deleted_rows: list[int] = []
            relations = 0
            with self.db.write() as conn:
                at = utc_now()
                records: list[AuditRecord] = []
                for type_name, wanted in grouped.items():
                    found = row_ids(conn, type_name, [k for _, k in wanted])
                    removed = self._delete_rows(conn, list(found.values()))
                    deleted_rows.extend(found.values())
                    relations += removed
                    if found:
                        deleted = sorted(global_id(type_name, key) for key in found)
                        records.append(delete_record(actor, type_name, deleted, removed, at))
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
