"""Type definitions on the embedded store: one SQLite transaction per change, which
also writes the change's history row and its audit record."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from graph_crm.clock import utc_now
from graph_crm.impact.policy_registry import alter_policy, define_policy
from graph_crm.model.audit import definition_change
from graph_crm.model.graph import (
    properties_from_json,
    properties_to_json,
)
from graph_crm.model.records import (
    revision_of,
)
from graph_crm.model.registry import Alteration, Registry, RegistryChange
from graph_crm.model.types import EntityType, RelationType, parse_entity_type, parse_relation_type
from graph_crm.model.values import datetime_to_text
from graph_crm.store.base import DEFAULT_ACTOR
from graph_crm.store.embedded import schema
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.core import EmbeddedCore, insert_change


class RegistryOps(EmbeddedCore):
    async def registry(self) -> Registry:
        def read() -> Registry:
            return self._refresh()

        return await self._read(read, quick=True)

    async def registry_changes(self, since_version: int = 0) -> list[RegistryChange]:
        def read() -> list[RegistryChange]:
            cursor = self.conn.execute(
                "SELECT version, kind, name, actor, at, before, after FROM registry_changes "
                "WHERE version > ? ORDER BY version",
                (since_version,),
            )
            names = [column[0] for column in cursor.description]
            return [
                RegistryChange.from_record(dict(zip(names, row, strict=True))) for row in cursor
            ]

        return await self._read(read)

    def _record_change(
        self, conn: sqlite3.Connection, registry: Registry, change: RegistryChange
    ) -> None:
        insert_change(conn, change)
        insert_audit(conn, [definition_change(change)])
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
        self._registry = registry

    async def define_entity_type(
        self, definition: EntityType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        entity_type = parse_entity_type(definition)

        def run() -> Registry:
            with self._write() as conn:
                registry, change = self._registry.define_entity_type(
                    entity_type, actor=actor, at=utc_now()
                )
                for spec in entity_type.unique_properties:
                    schema.create_unique_index(conn, entity_type.name, spec.name)
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    async def alter_entity_type(
        self, definition: EntityType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        entity_type = parse_entity_type(definition)

        def run() -> Registry:
            with self._write() as conn:
                populated = self._count_entities(conn, entity_type.name) > 0
                registry, change, alteration = self._registry.alter_entity_type(
                    entity_type, populated=populated, actor=actor, at=utc_now()
                )
                self._apply_alteration(conn, entity_type, alteration)
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    def _apply_alteration(
        self, conn: sqlite3.Connection, entity_type: EntityType, alteration: Alteration
    ) -> None:
        for name in alteration.dropped_unique + alteration.removed:
            schema.drop_unique_index(conn, entity_type.name, name)
        for name in alteration.new_unique:
            schema.create_unique_index(conn, entity_type.name, name)
        if alteration.backfill:
            payload = json.dumps(properties_to_json(entity_type, alteration.backfill))
            now = datetime_to_text(utc_now())
            rows = conn.execute(
                "SELECT id, props FROM entities WHERE type = ?", (entity_type.name,)
            ).fetchall()
            updates = []
            for row_id, props in rows:
                merged = {**json.loads(payload), **json.loads(props)}
                decoded = properties_from_json(entity_type, merged)
                updates.append(
                    (
                        json.dumps(merged, ensure_ascii=False),
                        revision_of(entity_type, decoded),
                        now,
                        row_id,
                    )
                )
            conn.executemany(
                "UPDATE entities SET props = ?, rev = ?, updated_at = ? WHERE id = ?", updates
            )

    async def drop_entity_type(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        def run() -> Registry:
            with self._write() as conn:
                populated = self._count_entities(conn, name) > 0
                old = self._registry.entity_type(name)
                registry, change = self._registry.drop_entity_type(
                    name, populated=populated, actor=actor, at=utc_now()
                )
                for spec in old.unique_properties:
                    schema.drop_unique_index(conn, name, spec.name)
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    async def define_relation_type(
        self, definition: RelationType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        relation_type = parse_relation_type(definition)

        def run() -> Registry:
            with self._write() as conn:
                registry, change = self._registry.define_relation_type(
                    relation_type, actor=actor, at=utc_now()
                )
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    async def alter_relation_type(
        self, definition: RelationType | Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        relation_type = parse_relation_type(definition)

        def run() -> Registry:
            with self._write() as conn:
                populated = self._count_relations(conn, relation_type.name) > 0
                registry, change, alteration = self._registry.alter_relation_type(
                    relation_type, populated=populated, actor=actor, at=utc_now()
                )
                if alteration.backfill:
                    self._backfill_relations(conn, relation_type, alteration.backfill)
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    def _backfill_relations(
        self, conn: sqlite3.Connection, relation_type: RelationType, backfill: dict[str, Any]
    ) -> None:
        defaults = properties_to_json(relation_type, backfill)
        rows = conn.execute(
            "SELECT id, props FROM relations WHERE type = ?", (relation_type.name,)
        ).fetchall()
        updates = []
        for row_id, props in rows:
            merged = {**defaults, **json.loads(props)}
            decoded = properties_from_json(relation_type, merged)
            updates.append(
                (
                    json.dumps(merged, ensure_ascii=False),
                    revision_of(relation_type, decoded),
                    row_id,
                )
            )
        conn.executemany("UPDATE relations SET props = ?, rev = ? WHERE id = ?", updates)

    async def drop_relation_type(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        def run() -> Registry:
            with self._write() as conn:
                populated = self._count_relations(conn, name) > 0
                registry, change = self._registry.drop_relation_type(
                    name, populated=populated, actor=actor, at=utc_now()
                )
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)

    async def define_impact_policy(
        self, definition: Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        return await self._policy_change(
            lambda current: define_policy(current, definition, actor, at=utc_now())
        )

    async def alter_impact_policy(
        self, definition: Mapping[str, Any], *, actor: str = DEFAULT_ACTOR
    ) -> Registry:
        return await self._policy_change(
            lambda current: alter_policy(current, definition, actor, at=utc_now())
        )

    async def drop_impact_policy(self, name: str, *, actor: str = DEFAULT_ACTOR) -> Registry:
        return await self._policy_change(
            lambda current: current.drop_policy(name, actor=actor, at=utc_now())
        )

    async def _policy_change(
        self, compute: Callable[[Registry], tuple[Registry, RegistryChange]]
    ) -> Registry:
        def run() -> Registry:
            with self._write() as conn:
                registry, change = compute(self._registry)
                self._record_change(conn, registry, change)
            return registry

        return await self._guarded(run)
