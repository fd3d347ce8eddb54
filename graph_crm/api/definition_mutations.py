"""Definition mutations beyond define/alter: patches of one property or of a type's own
fields, whole-type alter and drop of relation types, drops of entity types, and a batch
applied as one registry version.

Each is one call of the store's ``apply_definitions``: one registry change, checked by
the same evolution rules as ``alterEntityType``, recorded with its audit record in the
same transaction. What a patch means is worked out in the store layer
(:mod:`graph_crm.store.definition_patches`), not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import strawberry

from graph_crm.api.context import Info, mutation
from graph_crm.api.definition_inputs import DefinitionOperationInput, TypeDetailsInput
from graph_crm.api.definition_payloads import (
    DefinitionChangeType,
    DefinitionsPayload,
    DefinitionsResult,
    DroppedTypePayload,
    DroppedTypeResult,
    TypeDefinitionPayload,
    TypeDefinitionResult,
)
from graph_crm.api.errors import as_result
from graph_crm.api.input_types import PropertySpecInput, RelationTypeInput
from graph_crm.api.payloads import RelationTypePayload, RelationTypeResult
from graph_crm.api.types import RelationTypeType
from graph_crm.model.registry import ChangeKind, Registry
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation, OperationKind, PatchKind


async def apply_changing(
    store: GraphStore, operations: Sequence[DefinitionOperation], actor: str
) -> Registry:
    """Apply ``operations`` as one registry version; if they change no definition (the
    label it already has, a batch of such) the store makes no version, history or audit
    record, as re-running a seed leaves none (:mod:`graph_crm.store.definition_batch`)."""
    if not operations:
        return await store.registry()
    return await store.apply_definitions(operations, actor=actor)


async def _apply_one(info: Info, kind: OperationKind, definition: Any) -> Registry:
    """One operation, refused at the paths of the mutation's own arguments."""
    operation = DefinitionOperation(kind, definition, where=())
    return await apply_changing(info.context.store, [operation], info.context.actor)


async def _patched(info: Info, kind: PatchKind, data: dict[str, Any]) -> TypeDefinitionResult:
    async def run() -> TypeDefinitionPayload:
        registry = await _apply_one(info, kind, data)
        return TypeDefinitionPayload.of(registry, data["type"])

    return await as_result(run)


async def _dropped(info: Info, kind: ChangeKind, name: str) -> DroppedTypeResult:
    async def run() -> DroppedTypePayload:
        registry = await _apply_one(info, kind, name)
        return DroppedTypePayload(schema_version=registry.version, name=name)

    return await as_result(run)


async def changes_of(store: GraphStore, registry: Registry) -> list[DefinitionChangeType]:
    """The recorded steps of ``registry``'s version."""
    changes = await store.registry_changes(since_version=registry.version - 1)
    return [DefinitionChangeType.from_model(c) for c in changes if c.version == registry.version]


@strawberry.type
class DefinitionMutation:
    @mutation(
        "Add one property to an entity type or a relation type, without resending the "
        "others: one registry change, checked like alterEntityType (on a type holding "
        "data, a required property needs a default, which is back-filled)."
    )
    async def add_property(
        self, info: Info, type: str, property: PropertySpecInput
    ) -> TypeDefinitionResult:
        data = {"type": type, "property": property.to_data()}
        return await _patched(info, PatchKind.ADD_PROPERTY, data)

    @mutation(
        "Replace one property's definition (by its name), keeping the others: the same "
        "evolution rules as alterEntityType."
    )
    async def alter_property(
        self, info: Info, type: str, property: PropertySpecInput
    ) -> TypeDefinitionResult:
        data = {"type": type, "property": property.to_data()}
        return await _patched(info, PatchKind.ALTER_PROPERTY, data)

    @mutation("Drop one property; refused while the type holds data.")
    async def drop_property(self, info: Info, type: str, name: str) -> TypeDefinitionResult:
        return await _patched(info, PatchKind.DROP_PROPERTY, {"type": type, "name": name})

    @mutation(
        "Change a type's own fields (label, description, labelProperty) without resending "
        "its properties; never touches stored data."
    )
    async def alter_type_details(self, info: Info, input: TypeDetailsInput) -> TypeDefinitionResult:
        return await _patched(info, PatchKind.ALTER_TYPE_DETAILS, input.to_data())

    @mutation(
        "Replace a relation type's definition (its ends stay); refused if stored data would break."
    )
    async def alter_relation_type(self, info: Info, input: RelationTypeInput) -> RelationTypeResult:
        context = info.context

        async def run() -> RelationTypePayload:
            registry = await context.store.alter_relation_type(input.to_data(), actor=context.actor)
            return RelationTypePayload(
                schema_version=registry.version,
                relation_type=RelationTypeType.from_model(registry.relation_type(input.name)),
            )

        return await as_result(run)

    @mutation("Drop an entity type: refused while it holds entities or a relation type uses it.")
    async def drop_entity_type(self, info: Info, name: str) -> DroppedTypeResult:
        return await _dropped(info, ChangeKind.DROP_ENTITY_TYPE, name)

    @mutation("Drop a relation type: refused while it links entities.")
    async def drop_relation_type(self, info: Info, name: str) -> DroppedTypeResult:
        return await _dropped(info, ChangeKind.DROP_RELATION_TYPE, name)

    @mutation(
        "Apply definition changes together, in order, as one registry version (each a step "
        "of it), or none: every refusal is reported at its path in operations. "
        "previewDefinitions shows first what a batch would do."
    )
    async def apply_definitions(
        self, info: Info, operations: list[DefinitionOperationInput]
    ) -> DefinitionsResult:
        context = info.context

        async def run() -> DefinitionsPayload:
            wanted = [operation.to_operation(i) for i, operation in enumerate(operations)]
            before = await context.store.registry()
            registry = await apply_changing(context.store, wanted, context.actor)
            changed = registry.version != before.version
            changes = await changes_of(context.store, registry) if changed else []
            return DefinitionsPayload(schema_version=registry.version, changes=changes)

        return await as_result(run)
