"""Bulk export and import on the embedded store."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace

from graph_crm.clock import utc_now
from graph_crm.errors import InvalidInput
from graph_crm.model.audit import AuditKind, relation_id
from graph_crm.model.graph import (
    Entity,
    Relation,
)
from graph_crm.model.records import (
    encode_properties,
)
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.values import datetime_to_text
from graph_crm.store.audit import import_data_record, import_registry_record
from graph_crm.store.base import DEFAULT_ACTOR
from graph_crm.store.embedded import schema
from graph_crm.store.embedded.audit_ops import insert_audit
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.link_ops import endpoint_ids
from graph_crm.store.embedded.rollup_write import keep_current
from graph_crm.store.embedded.rows import insert_change
from graph_crm.store.rollups import TouchedEntities, rollups_on_path
from graph_crm.store.validators import REGISTRY_VALIDATORS


class TransferOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def restore_registry(
        self,
        registry: Registry,
        changes: Sequence[RegistryChange],
        *,
        actor: str = DEFAULT_ACTOR,
    ) -> None:
        def run() -> None:
            with self.db.write() as conn:
                if (
                    self.db.registry.version
                    or conn.execute("SELECT count(*) FROM entities").fetchone()[0]
                ):
                    raise InvalidInput("import needs an empty store: this one already has types")
                for change in changes:
                    insert_change(conn, change)
                for item in registry.definitions_json():
                    conn.execute(
                        "INSERT INTO type_defs (kind, name, definition) VALUES (?, ?, ?)",
                        (
                            item["kind"],
                            item["definition"]["name"],
                            json.dumps(item["definition"], ensure_ascii=False),
                        ),
                    )
                for entity_type in registry.entity_types.values():
                    for spec in entity_type.unique_properties:
                        schema.create_unique_index(conn, entity_type.name, spec.name)
                conn.execute(
                    "UPDATE meta SET value = ? WHERE name = 'registry_version'", (registry.version,)
                )
                insert_audit(conn, [import_registry_record(actor, registry, changes, utc_now())])
                # the store's own rules guard the imported registry's next changes
                self.db.use_registry(replace(registry, validators=REGISTRY_VALIDATORS))

        await self.db.call(run)

    async def restore_entities(
        self, type_name: str, entities: Sequence[Entity], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        def run() -> None:
            entity_type = self.db.registry.entity_type(type_name)
            ids = [e.id for e in entities]
            with self.db.write() as conn:
                conn.executemany(
                    "INSERT INTO entities (type, key, props, rev, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        (
                            type_name,
                            e.key,
                            *encode_properties(entity_type, e.properties),
                            datetime_to_text(e.created_at),
                            datetime_to_text(e.updated_at),
                        )
                        for e in entities
                    ],
                )
                # rollups are not in the file: computed again, as relations arrive
                keep_current(conn, self.db.registry, {type_name: {e.key for e in entities}})
                if ids:
                    record = import_data_record(actor, AuditKind.ENTITY, type_name, ids, utc_now())
                    insert_audit(conn, [record])
            self.db.mirrors.discard()

        await self.db.call(run)

    async def restore_relations(
        self, relation_type: str, relations: Sequence[Relation], *, actor: str = DEFAULT_ACTOR
    ) -> None:
        def run() -> None:
            rel = self.db.registry.relation_type(relation_type)
            ids = [relation_id(relation_type, r.from_id, r.to_id) for r in relations]
            with self.db.write() as conn:
                pairs = [(r.from_id.split(":", 1)[1], r.to_id.split(":", 1)[1]) for r in relations]
                from_ids, to_ids = endpoint_ids(conn, rel, pairs)
                conn.executemany(
                    "INSERT INTO relations (type, from_id, to_id, props, rev, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            relation_type,
                            from_ids[f],
                            to_ids[t],
                            *encode_properties(rel, r.properties),
                            datetime_to_text(r.created_at),
                            datetime_to_text(r.updated_at),
                        )
                        for r, (f, t) in zip(relations, pairs, strict=True)
                    ],
                )
                if rollups_on_path(self.db.registry, relation_type):
                    touched = TouchedEntities()
                    touched.add_ends(rel.from_type, rel.to_type, pairs)
                    keep_current(conn, self.db.registry, touched.keys)
                if ids:
                    kind = AuditKind.RELATION
                    record = import_data_record(actor, kind, relation_type, ids, utc_now())
                    insert_audit(conn, [record])
            self.db.mirrors.discard()

        await self.db.call(run)
