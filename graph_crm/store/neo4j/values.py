"""Values between the model and Neo4j: driver temporals to Python, stored properties to
a definition's typed values and back, a node's properties to an :class:`Entity`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from neo4j.time import Date as Neo4jDate
from neo4j.time import DateTime as Neo4jDateTime

from graph_crm.model.graph import Entity
from graph_crm.model.types import EntityType, PropertyKind, RelationType
from graph_crm.store.neo4j.compile import neo4j_value

Definition = EntityType | RelationType


def native(value: Any) -> Any:
    """A driver value as the model holds it (temporals as ``datetime``/``date``, UTC)."""
    if isinstance(value, Neo4jDateTime):
        return value.to_native().astimezone(UTC)
    if isinstance(value, Neo4jDate):
        return value.to_native()
    return value


def decode_props(definition: Definition, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The defined properties among ``raw`` (stored ones), decoded; others left out."""
    kinds = {spec.name: spec.kind for spec in definition.properties}
    decoded: dict[str, Any] = {}
    for name in sorted(raw):
        kind = kinds.get(name)
        if kind is None or raw[name] is None:
            continue
        value = native(raw[name])
        if kind is PropertyKind.JSON:
            value = json.loads(value)
        elif kind is PropertyKind.FLOAT:
            value = float(value)
        decoded[name] = value
    return decoded


def encode_props(definition: Definition, props: Mapping[str, Any]) -> dict[str, Any]:
    """Every defined property: its stored value, or null (which ``SET +=`` removes)."""
    return {
        spec.name: neo4j_value(spec.kind, props.get(spec.name)) for spec in definition.properties
    }


def entity_from_props(entity_type: EntityType, raw: Mapping[str, Any]) -> Entity:
    """An entity from its node's properties."""
    return Entity(
        entity_type.name,
        raw["key"],
        decode_props(entity_type, raw),
        native(raw["createdAt"]),
        native(raw["updatedAt"]),
    )
