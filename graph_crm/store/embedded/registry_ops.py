"""Type definitions on the embedded store: one SQLite transaction per batch of changes,
which also writes each change's history row and its audit record (what a change means is
worked out once, in :mod:`graph_crm.store.definitions`)."""

from __future__ import annotations

import json
import sqlite3

from graph_crm.clock import utc_now
from graph_crm.model.formula.stored import materialized_formulas, rollup_names, with_computed
from graph_crm.model.graph import (
    properties_from_json,
    properties_to_json,
)
from graph_crm.model.records import (
    revision_of,
)
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.types import EntityType
from graph_crm.model.values import datetime_to_text
from graph_crm.store.definition_batch import DefinitionBatch, Evolution
from graph_crm.store.definitions import Backfill, Population
from graph_crm.store.embedded import schema
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.rollup_write import recompute_all
from graph_crm.store.embedded.rows import count_entities, count_relations, insert_change
from graph_crm.store.rollups import rollups_over


class RegistryOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def registry(self) -> Registry:
        def read() -> Registry:
            return self.db.refresh()

        return await self.db.read(read, quick=True)

    def known_registry(self) -> Registry:
        return self.db.known_registry

    async def registry_changes(self, since_version: int = 0) -> list[RegistryChange]:
        def read() -> list[RegistryChange]:
            cursor = self.db.conn.execute(
                "SELECT version, step, kind, name, actor, at, before, after "
                "FROM registry_changes WHERE version > ? ORDER BY version, step",
                (since_version,),
            )
            names = [column[0] for column in cursor.description]
            return [
                RegistryChange.from_record(dict(zip(names, row, strict=True))) for row in cursor
            ]

        return await self.db.read(read)

    async def apply_definitions(self, batch: DefinitionBatch, *, dry_run: bool = False) -> Registry:
        """Evolve the registry by ``batch`` and store the result, in one transaction."""

        def evolved(conn: sqlite3.Connection) -> Evolution:
            current = self.db.registry
            populated = [
                counted for counted in batch.populations(current) if _count(conn, counted) > 0
            ]
            return batch.evolve(current, populated)

        if dry_run:

            def dry() -> Registry:
                self.db.refresh()
                return evolved(self.db.conn).registry

            return await self.db.read(dry)

        def run() -> Registry:
            with self.db.write() as conn:
                evolution = evolved(conn)
                if evolution.unchanged:
                    return evolution.registry
                self._apply_evolution(conn, evolution)
                self._record(conn, evolution)
            return evolution.registry

        return await self.db.call(run)

    def _apply_evolution(self, conn: sqlite3.Connection, evolution: Evolution) -> None:
        for type_name, prop in evolution.unique_dropped:
            schema.drop_unique_index(conn, type_name, prop)
        for type_name, prop in evolution.unique_added:
            schema.create_unique_index(conn, type_name, prop)
        for backfill in evolution.backfills:
            self._backfill(conn, backfill, evolution.registry)

    def _record(self, conn: sqlite3.Connection, evolution: Evolution) -> None:
        for change in evolution.changes:
            insert_change(conn, change)
        insert_audit(conn, evolution.audit_records)
        for stored in evolution.stored:
            if stored.definition is None:
                conn.execute(
                    "DELETE FROM type_defs WHERE kind = ? AND name = ?", (stored.kind, stored.name)
                )
            else:
                conn.execute(
                    "INSERT INTO type_defs (kind, name, definition) VALUES (?, ?, ?) "
                    "ON CONFLICT (kind, name) DO UPDATE SET definition = excluded.definition",
                    (stored.kind, stored.name, json.dumps(stored.definition, ensure_ascii=False)),
                )
        conn.execute(
            "UPDATE meta SET value = ? WHERE name = 'registry_version'",
            (evolution.registry.version,),
        )
        self.db.use_registry(evolution.registry)

    def _backfill(self, conn: sqlite3.Connection, backfill: Backfill, registry: Registry) -> None:
        """Write the defaults into every stored row of the type, and its computed values
        computed again; revisions follow."""
        definition = backfill.definition
        entities = isinstance(definition, EntityType)
        table = "entities" if entities else "relations"
        if entities:
            definition = registry.entity_type(definition.name)
        formulas = materialized_formulas(registry, definition.name) if entities else {}
        # rollup values are kept apart: they are recomputed below, and a revision follows
        # only what clients write
        rollups = rollup_names(registry, definition.name) if entities else frozenset()
        defaults = properties_to_json(definition, backfill.values)
        key = "key" if entities else "NULL"
        rows = conn.execute(
            f"SELECT id, props, {key} FROM {table} WHERE type = ?", (definition.name,)
        ).fetchall()
        updates = []
        for index, (row_id, props, entity_key) in enumerate(rows):
            stored = {
                k: v for k, v in json.loads(props).items() if k not in formulas and k not in rollups
            }
            values = properties_from_json(definition, {**defaults, **stored})
            values = with_computed(formulas, values, (definition.name, index), entity_key)
            revision = revision_of(definition, values)
            merged = properties_to_json(definition, values)
            updates.append((json.dumps(merged, ensure_ascii=False), revision, row_id))
        if entities:
            # an entity's update time moves with its back-filled values; a relation's stays
            now = datetime_to_text(utc_now())
            conn.executemany(
                "UPDATE entities SET props = ?, rev = ?, updated_at = ? WHERE id = ?",
                [(props, rev, now, row_id) for props, rev, row_id in updates],
            )
            recompute_all(conn, registry, rollups_over(registry, definition.name))
        else:
            conn.executemany("UPDATE relations SET props = ?, rev = ? WHERE id = ?", updates)


def _count(conn: sqlite3.Connection, counted: Population) -> int:
    if counted.kind == "entity":
        return count_entities(conn, counted.type_name)
    return count_relations(conn, counted.type_name)
