"""GraphQL input types of the core schema, and their plain-data form for the store."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.scalars import JSON

from graph_crm.api.types import (
    COMPUTED_DESCRIPTION,
    LABEL_DESCRIPTION,
    LABEL_PROPERTY_DESCRIPTION,
    DirectionEnum,
    PropertyKindEnum,
    SortDirection,
)


@strawberry.input
class PropertySpecInput:
    name: str
    kind: PropertyKindEnum
    required: bool = False
    unique: bool = False
    default: JSON | None = None
    description: str = ""
    values: list[str] = strawberry.field(default_factory=list)
    label: str | None = strawberry.field(default=None, description=LABEL_DESCRIPTION)
    computed: JSON | None = strawberry.field(default=None, description=COMPUTED_DESCRIPTION)

    def to_data(self) -> dict[str, Any]:
        return {
            "computed": self.computed,
            "label": self.label,
            "name": self.name,
            "kind": self.kind.value,
            "required": self.required,
            "unique": self.unique,
            "default": self.default,
            "description": self.description,
            "values": self.values,
        }


@strawberry.input
class EntityTypeInput:
    name: str
    description: str = ""
    properties: list[PropertySpecInput] = strawberry.field(default_factory=list)
    label_property: str | None = strawberry.field(
        default=None, description=LABEL_PROPERTY_DESCRIPTION
    )
    label: str | None = strawberry.field(default=None, description=LABEL_DESCRIPTION)

    def to_data(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "name": self.name,
            "description": self.description,
            "properties": [spec.to_data() for spec in self.properties],
            "labelProperty": self.label_property,
        }


@strawberry.input
class RelationTypeInput:
    name: str
    from_type: str = strawberry.field(name="from")
    to_type: str = strawberry.field(name="to")
    description: str = ""
    properties: list[PropertySpecInput] = strawberry.field(default_factory=list)
    label: str | None = strawberry.field(default=None, description=LABEL_DESCRIPTION)

    def to_data(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "name": self.name,
            "from": self.from_type,
            "to": self.to_type,
            "description": self.description,
            "properties": [spec.to_data() for spec in self.properties],
        }


@strawberry.input(description='An endpoint is a key or a global id ("<Type>:<key>").')
class LinkInput:
    from_entity: str = strawberry.field(name="from")
    to_entity: str = strawberry.field(name="to")
    properties: JSON | None = None

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"from": self.from_entity, "to": self.to_entity}
        if self.properties is not None:
            data["properties"] = self.properties
        return data


@strawberry.input
class OrderByInput:
    field: str = strawberry.field(description="A property, or key, createdAt, updatedAt.")
    direction: SortDirection = SortDirection.ASC

    def to_data(self) -> dict[str, Any]:
        return {"field": self.field, "direction": self.direction.value}


@strawberry.input(description="Follow one relation type; where filters the entities landed on.")
class StepInput:
    relation: str
    direction: DirectionEnum = DirectionEnum.OUT
    where: JSON | None = None
    min_hops: int = 1
    max_hops: int | None = strawberry.field(
        default=1, description="null: repeat up to maxDepth (a relation from a type to itself)."
    )

    def to_data(self) -> dict[str, Any]:
        return {
            "relation": self.relation,
            "direction": self.direction.value,
            "where": self.where,
            "minHops": self.min_hops,
            "maxHops": self.max_hops,
        }
