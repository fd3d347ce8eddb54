"""Values between the model and Neo4j: driver temporals to Python, stored properties to
a definition's typed values and back, a node's properties to an :class:`Entity`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Final

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


#: A definition's properties as a decoder reads them: each name with its kind, in order.
Steps = tuple[tuple[str, PropertyKind], ...]
#: What a DATETIME read as epoch microseconds counts from (read_compile.py projects them so).
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def property_steps(definition: Definition, names: Iterable[str]) -> Steps:
    """The defined properties among ``names``, in their order, each with its kind."""
    kinds = {spec.name: spec.kind for spec in definition.properties}
    return tuple([(name, kind) for name in names if (kind := kinds.get(name)) is not None])


def decode_steps(steps: Steps, raw: Mapping[str, Any], *, micros: bool = False) -> dict[str, Any]:
    """The values of ``raw`` that ``steps`` name, decoded (nulls left out); ``micros``:
    its DATETIMEs were read as epoch microseconds."""
    decoded: dict[str, Any] = {}
    for name, kind in steps:
        value = raw.get(name)
        if value is None:
            continue
        if kind is PropertyKind.FLOAT:
            value = float(value)
        elif kind is PropertyKind.JSON:
            value = json.loads(value)
        elif micros and kind is PropertyKind.DATETIME:
            value = EPOCH + timedelta(microseconds=value)
        elif type(value) is not str:  # temporals from the driver; the rest pass as they are
            value = native(value)
        decoded[name] = value
    return decoded


def decode_props(definition: Definition, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The defined properties among ``raw`` (stored ones), decoded; others left out."""
    return decode_steps(property_steps(definition, sorted(raw)), raw)


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
