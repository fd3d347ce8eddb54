"""Type definitions on the embedded store: one SQLite transaction per change, which
also writes the change's history row and its audit record (what a change means is
worked out once, in :mod:`graph_crm.store.definitions`)."""

from __future__ import annotations

import json
import sqlite3

from graph_crm.clock import utc_now
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
from graph_crm.store.definitions import Backfill, DefinitionChange, Evolution
from graph_crm.store.embedded import schema
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.rows import count_entities, count_relations, insert_change


class RegistryOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def registry(self) -> Registry:
        def read() -> Registry:
            return self.db.refresh()

        return await self.db.read(read, quick=True)

    async def registry_changes(self, since_version: int = 0) -> list[RegistryChange]:
        def read() -> list[RegistryChange]:
            cursor = self.db.conn.execute(
                "SELECT version, kind, name, actor, at, before, after FROM registry_changes "
                "WHERE version > ? ORDER BY version",
                (since_version,),
            )
            names = [column[0] for column in cursor.description]
            return [
                RegistryChange.from_record(dict(zip(names, row, strict=True))) for row in cursor
            ]

        return await self.db.read(read)

    async def apply_definition(self, change: DefinitionChange) -> Registry:
        """Evolve the registry by ``change`` and store the result, in one transaction."""

        def run() -> Registry:
            with self.db.write() as conn:
                current = self.db.registry
                counted = change.counted(current)
                populated = False
                if counted is not None:
                    count = count_entities if counted.kind == "entity" else count_relations
                    populated = count(conn, counted.type_name) > 0
                evolution = change.evolve(current, populated)
                self._apply_evolution(conn, evolution)
                self._record_change(conn, evolution)
            return evolution.registry

        return await self.db.call(run)

    def _apply_evolution(self, conn: sqlite3.Connection, evolution: Evolution) -> None:
        for type_name, prop in evolution.unique_dropped:
            schema.drop_unique_index(conn, type_name, prop)
        for type_name, prop in evolution.unique_added:
            schema.create_unique_index(conn, type_name, prop)
        if evolution.backfill is not None:
            self._backfill(conn, evolution.backfill)

    def _record_change(self, conn: sqlite3.Connection, evolution: Evolution) -> None:
        registry, change = evolution.registry, evolution.change
        insert_change(conn, change)
        insert_audit(conn, [evolution.audit_record])
        kind = change.kind.definition_kind
        if change.after is None:
            conn.execute("DELETE FROM type_defs WHERE kind = ? AND name = ?", (kind, change.name))
        else:
            conn.execute(
                "INSERT INTO type_defs (kind, name, definition) VALUES (?, ?, ?) "
                "ON CONFLICT (kind, name) DO UPDATE SET definition = excluded.definition",
                (kind, change.name, json.dumps(change.after, ensure_ascii=False)),
            )
        conn.execute(
            "UPDATE meta SET value = ? WHERE name = 'registry_version'", (registry.version,)
        )
        self.db.use_registry(registry)

    def _backfill(self, conn: sqlite3.Connection, backfill: Backfill) -> None:
        """Write the defaults into every stored row of the type; revisions follow."""
        definition = backfill.definition
        entities = isinstance(definition, EntityType)
        table = "entities" if entities else "relations"
        defaults = properties_to_json(definition, backfill.values)
        rows = conn.execute(
            f"SELECT id, props FROM {table} WHERE type = ?", (definition.name,)
        ).fetchall()
        updates = []
        for row_id, props in rows:
            merged = {**defaults, **json.loads(props)}
            revision = revision_of(definition, properties_from_json(definition, merged))
            updates.append((json.dumps(merged, ensure_ascii=False), revision, row_id))
        if entities:
            # an entity's update time moves with its back-filled values; a relation's stays
            now = datetime_to_text(utc_now())
            conn.executemany(
                "UPDATE entities SET props = ?, rev = ?, updated_at = ? WHERE id = ?",
                [(props, rev, now, row_id) for props, rev, row_id in updates],
            )
        else:
            conn.executemany("UPDATE relations SET props = ?, rev = ? WHERE id = ?", updates)
