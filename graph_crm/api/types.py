"""GraphQL object types of the core schema, and their conversion from the model."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import cast

import strawberry
from strawberry.scalars import JSON

from graph_crm.api.explore import EntityExplore
from graph_crm.model import graph, traversal
from graph_crm.model import types as model_types
from graph_crm.model.values import value_to_json


@strawberry.enum(name="PropertyKind", description="The kind of value a property holds.")
class PropertyKindEnum(Enum):
    STRING = "STRING"
    INT = "INT"
    FLOAT = "FLOAT"
    BOOLEAN = "BOOLEAN"
    DATE = "DATE"
    DATETIME = "DATETIME"
    ENUM = "ENUM"
    JSON = "JSON"


@strawberry.enum(name="Direction", description="Which way a traversal step follows a relation.")
class DirectionEnum(Enum):
    OUT = "OUT"
    IN = "IN"
    BOTH = "BOTH"


@strawberry.enum(description="Sort order of one orderBy field.")
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


LABEL_DESCRIPTION = (
    "A display label for people, any Unicode text (1-100 characters, trimmed, no control "
    "or invisible characters), e.g. 报关行; null: show the name. Only ever shown: the "
    "API names stay ASCII."
)


COMPUTED_DESCRIPTION = (
    "A formula over the entity's own properties (docs/formulas.md), e.g. "
    '"round(unitPrice * quantity, 2)": the store computes and stores its value on every '
    "write, and clients cannot write it. Null: a stored property. Its kind must be the one "
    "the formula gives; it is never required, unique or defaulted. Or a rollup, an object "
    '{"rollup": "sum", "path": ["HAS_LINE"], "property": "lineTotal", "where": ...} over 1-2 '
    "hops: stored too, and kept current on every write, link, unlink or delete on its path."
)


@strawberry.type(name="PropertySpec", description="One typed property of a type.")
class PropertySpecType:
    name: str
    kind: PropertyKindEnum
    required: bool
    unique: bool
    default: JSON | None
    description: str
    values: list[str]
    label: str | None = strawberry.field(description=LABEL_DESCRIPTION)
    computed: JSON | None = strawberry.field(default=None, description=COMPUTED_DESCRIPTION)

    @classmethod
    def from_model(cls, spec: model_types.PropertySpec) -> PropertySpecType:
        return cls(
            computed=cast(JSON, spec.computed),
            label=spec.label,
            name=spec.name,
            kind=PropertyKindEnum(spec.kind.value),
            required=spec.required,
            unique=spec.unique,
            default=value_to_json(spec.kind, spec.default),
            description=spec.description,
            values=list(spec.values),
        )


LABEL_PROPERTY_DESCRIPTION = (
    "The STRING property whose value names an entity in reports and paths. Null: the "
    "first STRING property among name, title and label, else the entity's key."
)


@strawberry.type(name="EntityType", description="A runtime-defined entity type.")
class EntityTypeType:
    name: str
    description: str
    properties: list[PropertySpecType]
    label_property: str | None = strawberry.field(description=LABEL_PROPERTY_DESCRIPTION)
    label: str | None = strawberry.field(description=LABEL_DESCRIPTION)

    @classmethod
    def from_model(cls, definition: model_types.EntityType) -> EntityTypeType:
        return cls(
            label=definition.label,
            name=definition.name,
            description=definition.description,
            properties=[PropertySpecType.from_model(p) for p in definition.properties],
            label_property=definition.label_property,
        )


@strawberry.type(
    name="RelationType", description="A relation type from one entity type to another."
)
class RelationTypeType:
    name: str
    from_type: str = strawberry.field(name="from")
    to_type: str = strawberry.field(name="to")
    description: str
    properties: list[PropertySpecType]
    label: str | None = strawberry.field(description=LABEL_DESCRIPTION)

    @classmethod
    def from_model(cls, definition: model_types.RelationType) -> RelationTypeType:
        return cls(
            label=definition.label,
            name=definition.name,
            from_type=definition.from_type,
            to_type=definition.to_type,
            description=definition.description,
            properties=[PropertySpecType.from_model(p) for p in definition.properties],
        )


@strawberry.type(name="Entity", description="An entity of any type, its properties as JSON.")
class EntityNode(EntityExplore):  # + relationCounts, neighbors (api/explore.py)
    id: strawberry.ID = strawberry.field(description='The global id, "<Type>:<key>".')
    type: str
    key: str
    properties: JSON = strawberry.field(description="Dates as ISO 8601 text.")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_model(
        cls, entity: graph.Entity, definition: model_types._TypeDefinition
    ) -> EntityNode:
        return cls(
            id=strawberry.ID(entity.id),
            type=entity.type,
            key=entity.key,
            properties=cast(JSON, graph.properties_to_json(definition, entity.properties)),
            created_at=entity.created_at,
            updated_at=entity.updated_at,
        )


@strawberry.type
class EntityEdge:
    cursor: str
    node: EntityNode


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class EntityConnection:
    total_count: int
    edges: list[EntityEdge]
    page_info: PageInfo


@strawberry.type
class Hop:
    relation: str
    direction: DirectionEnum

    @classmethod
    def from_model(cls, hop: traversal.Hop) -> Hop:
        return cls(relation=hop.relation, direction=DirectionEnum(hop.direction.value))


@strawberry.type(description="One path from a start entity to a reached one.")
class Path:
    target: strawberry.ID
    entity_ids: list[strawberry.ID]
    hops: list[Hop]

    @classmethod
    def from_model(cls, target: str, path: traversal.Path) -> Path:
        return cls(
            target=strawberry.ID(target),
            entity_ids=[strawberry.ID(gid) for gid in path.entity_ids],
            hops=[Hop.from_model(hop) for hop in path.hops],
        )


@strawberry.type(description="Entities at the end of the steps, with their shortest paths.")
class Traversal:
    reached: list[EntityNode]
    paths: list[Path]
    truncated: bool = strawberry.field(description="True when more entities than limit.")
