"""The core schema's mutations: each returns its payload or an :class:`Error`.

Stores check a whole batch before writing, so a failed mutation writes nothing. Every
write passes the caller as its actor, for the audit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from graph_crm.api.context import Info, mutation
from graph_crm.api.definition_mutations import DefinitionMutation
from graph_crm.api.errors import as_result
from graph_crm.api.impact import ImpactMutation
from graph_crm.api.input_types import EntityTypeInput, LinkInput, RelationTypeInput
from graph_crm.api.payloads import (
    DeletePayload,
    DeleteResult,
    EntityTypePayload,
    EntityTypeResult,
    RelationTypePayload,
    RelationTypeResult,
    UnlinkPayload,
    UnlinkResult,
    WritePayload,
    WriteResult,
)
from graph_crm.api.schema_document import SchemaDocumentMutation
from graph_crm.api.types import EntityTypeType, RelationTypeType


@strawberry.type
class Mutation(ImpactMutation, DefinitionMutation, SchemaDocumentMutation):
    @mutation("Define a new entity type.")
    async def define_entity_type(self, info: Info, input: EntityTypeInput) -> EntityTypeResult:
        context = info.context

        async def run() -> EntityTypePayload:
            definition_data = input.to_data()
            registry = await context.store.define_entity_type(definition_data, actor=context.actor)
            definition = registry.entity_type(input.name)
            return EntityTypePayload(
                schema_version=registry.version,
                entity_type=EntityTypeType.from_model(definition),
            )

        return await as_result(run)

    @mutation("Replace an entity type's definition; refused if stored data would break.")
    async def alter_entity_type(self, info: Info, input: EntityTypeInput) -> EntityTypeResult:
        context = info.context

        async def run() -> EntityTypePayload:
            definition_data = input.to_data()
            registry = await context.store.alter_entity_type(definition_data, actor=context.actor)
            definition = registry.entity_type(input.name)
            return EntityTypePayload(
                schema_version=registry.version,
                entity_type=EntityTypeType.from_model(definition),
            )

        return await as_result(run)

    @mutation("Define a relation type from one entity type to another.")
    async def define_relation_type(
        self, info: Info, input: RelationTypeInput
    ) -> RelationTypeResult:
        context = info.context

        async def run() -> RelationTypePayload:
            definition_data = input.to_data()
            registry = await context.store.define_relation_type(
                definition_data, actor=context.actor
            )
            definition = registry.relation_type(input.name)
            return RelationTypePayload(
                schema_version=registry.version,
                relation_type=RelationTypeType.from_model(definition),
            )

        return await as_result(run)

    @mutation(
        'Create or replace entities by key: [{"key": "ACME", "name": "..."}]. '
        "Atomic: one bad row and nothing is written."
    )
    async def upsert_entities(self, info: Info, type: str, records: list[JSON]) -> WriteResult:
        async def run() -> WritePayload:
            # Rows are checked by the store: a non-object row is an error at its path.
            rows = cast(list[Mapping[str, Any]], records)
            result = await info.context.store.upsert_entities(type, rows, actor=info.context.actor)
            return WritePayload(
                created=result.created, updated=result.updated, unchanged=result.unchanged
            )

        return await as_result(run)

    @mutation("Create relations, or update their properties; atomic.")
    async def link_entities(self, info: Info, relation: str, links: list[LinkInput]) -> WriteResult:
        async def run() -> WritePayload:
            result = await info.context.store.link(
                relation, [link.to_data() for link in links], actor=info.context.actor
            )
            return WritePayload(
                created=result.created, updated=result.updated, unchanged=result.unchanged
            )

        return await as_result(run)

    @mutation("Remove relations (properties must be left out).")
    async def unlink_entities(
        self, info: Info, relation: str, links: list[LinkInput]
    ) -> UnlinkResult:
        async def run() -> UnlinkPayload:
            removed = await info.context.store.unlink(
                relation, [link.to_data() for link in links], actor=info.context.actor
            )
            return UnlinkPayload(removed=removed)

        return await as_result(run)

    @mutation("Delete entities by global id, with their relations.")
    async def delete_entities(self, info: Info, ids: list[strawberry.ID]) -> DeleteResult:
        async def run() -> DeletePayload:
            result = await info.context.store.delete_entities(
                [str(gid) for gid in ids], actor=info.context.actor
            )
            return DeletePayload(entities=result.entities, relations=result.relations)

        return await as_result(run)
