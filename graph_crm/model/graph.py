"""What the stores return: entities, relations, pages, write results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from graph_crm.model.records import global_id
from graph_crm.model.types import _TypeDefinition
from graph_crm.model.values import datetime_to_text, value_from_json, value_to_json


@dataclass(frozen=True, slots=True)
class Entity:
    type: str
    key: str
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @property
    def id(self) -> str:
        return global_id(self.type, self.key)


@dataclass(frozen=True, slots=True)
class Relation:
    type: str
    from_id: str
    to_id: str
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Neighbor:
    """A stored relation seen from one end, with the entity at its far end."""

    relation: Relation
    entity: Entity


T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; pass ``end_cursor`` as ``after`` for the next."""

    items: list[T]
    total_count: int
    end_cursor: str | None
    has_next_page: bool


@dataclass(frozen=True)
class WriteResult:
    """How many rows of a batch created, changed or left alone."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class DeleteResult:
    entities: int = 0
    relations: int = 0


@dataclass(frozen=True)
class Counts:
    entities: dict[str, int] = field(default_factory=dict)
    relations: dict[str, int] = field(default_factory=dict)


def properties_to_json(definition: _TypeDefinition, properties: dict[str, Any]) -> dict[str, Any]:
    kinds = {spec.name: spec.kind for spec in definition.properties}
    return {name: value_to_json(kinds[name], value) for name, value in properties.items()}


def properties_from_json(definition: _TypeDefinition, properties: dict[str, Any]) -> dict[str, Any]:
    """Decode stored JSON properties; values of since-removed properties are dropped."""
    kinds = {spec.name: spec.kind for spec in definition.properties}
    return {
        name: value_from_json(kinds[name], value)
        for name, value in sorted(properties.items())
        if name in kinds and value is not None
    }


def entity_to_json(entity: Entity, definition: _TypeDefinition) -> dict[str, Any]:
    return {
        "type": entity.type,
        "key": entity.key,
        "properties": properties_to_json(definition, entity.properties),
        "createdAt": datetime_to_text(entity.created_at),
        "updatedAt": datetime_to_text(entity.updated_at),
    }


def relation_to_json(relation: Relation, definition: _TypeDefinition) -> dict[str, Any]:
    return {
        "type": relation.type,
        "from": relation.from_id,
        "to": relation.to_id,
        "properties": properties_to_json(definition, relation.properties),
        "createdAt": datetime_to_text(relation.created_at),
        "updatedAt": datetime_to_text(relation.updated_at),
    }
