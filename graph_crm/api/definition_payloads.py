"""What the definition operations answer: the changed type, the batch's changes, a
preview, and the registry's history."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from graph_crm.api.errors import Error, Issue
from graph_crm.api.types import EntityTypeType, PageInfo, RelationTypeType
from graph_crm.model.registry import Registry, RegistryChange


@strawberry.type(description="The type a patch changed: an entity type or a relation type.")
class TypeDefinitionPayload:
    schema_version: int
    entity_type: EntityTypeType | None
    relation_type: RelationTypeType | None

    @classmethod
    def of(cls, registry: Registry, name: str) -> TypeDefinitionPayload:
        entity_type = registry.entity_types.get(name)
        relation_type = registry.relation_types.get(name)
        return cls(
            schema_version=registry.version,
            entity_type=None if entity_type is None else EntityTypeType.from_model(entity_type),
            relation_type=None
            if relation_type is None
            else RelationTypeType.from_model(relation_type),
        )


@strawberry.type(description="A type dropped.")
class DroppedTypePayload:
    schema_version: int
    name: str


@strawberry.type(
    name="DefinitionChange",
    description="One recorded registry change: a step of the version its batch made.",
)
class DefinitionChangeType:
    version: int
    step: int
    kind: str = strawberry.field(
        description="DEFINE_/ALTER_/DROP_ ENTITY_TYPE, RELATION_TYPE or IMPACT_POLICY (a "
        "property patch is recorded as the ALTER it amounts to)."
    )
    name: str = strawberry.field(description="The entity type, relation type or policy.")
    actor: str
    at: datetime
    before: JSON | None
    after: JSON | None

    @classmethod
    def from_model(cls, change: RegistryChange) -> DefinitionChangeType:
        return cls(
            version=change.version,
            step=change.step,
            kind=change.kind.value,
            name=change.name,
            actor=change.actor,
            at=change.at,
            before=cast(JSON, change.before),
            after=cast(JSON, change.after),
        )


@strawberry.type(description="A batch applied: one registry version, one step per change.")
class DefinitionsPayload:
    schema_version: int
    changes: list[DefinitionChangeType]


@strawberry.enum(description="How a definition of the served GraphQL schema would change.")
class SchemaChangeKind(Enum):
    ADDED = "ADDED"
    CHANGED = "CHANGED"
    REMOVED = "REMOVED"


@strawberry.type(description="One type (or input, enum) of the served schema a batch changes.")
class SchemaChange:
    name: str
    change: SchemaChangeKind
    added: list[str] = strawberry.field(description="SDL lines it adds.")
    removed: list[str] = strawberry.field(description="SDL lines it removes.")
    sdl: str = strawberry.field(description="Its SDL after the batch (before, if removed).")


@strawberry.type(description="What a batch would do; nothing was written or audited.")
class DefinitionPreview:
    current_version: int
    version: int | None = strawberry.field(
        description="The registry version applying it would make; null if it is refused."
    )
    refusals: list[Issue] = strawberry.field(
        description="Every change the batch would refuse, at its path in operations."
    )
    schema_changes: list[SchemaChange] = strawberry.field(
        description="The served GraphQL schema's definitions it adds, changes or removes."
    )


@strawberry.type
class DefinitionChangeEdge:
    cursor: str
    node: DefinitionChangeType


@strawberry.type(description="Registry changes, newest first.")
class DefinitionHistory:
    total_count: int
    edges: list[DefinitionChangeEdge]
    page_info: PageInfo


TypeDefinitionResult = Annotated[
    TypeDefinitionPayload | Error, strawberry.union("TypeDefinitionResult")
]
DroppedTypeResult = Annotated[DroppedTypePayload | Error, strawberry.union("DroppedTypeResult")]
DefinitionsResult = Annotated[DefinitionsPayload | Error, strawberry.union("DefinitionsResult")]
