"""Load a seed file: type definitions, entities and links, idempotently.

A seed is one JSON object::

    {"entityTypes": [...], "relationTypes": [...],
     "entities": {"Customer": [{"key": ...}, ...]}, "links": {"HAS_SUBSIDIARY": [...]}}

Types that exist with the same definition are left alone, changed ones are altered
(so the usual evolution rules apply), new ones are defined. A property someone added
to a seeded type since is kept: a seed adds what is missing and leaves additions alone.
Re-running a seed changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from graph_crm.errors import InvalidInput
from graph_crm.model.types import (
    EntityType,
    PropertySpec,
    RelationType,
    parse_entity_type,
    parse_relation_type,
)
from graph_crm.store.base import GraphStore

_KEYS = {"description", "entityTypes", "relationTypes", "entities", "links"}


@dataclass
class SeedResult:
    defined: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)
    linked: dict[str, int] = field(default_factory=dict)


def read_seed(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read seed {path}: {exc}") from None
    if not isinstance(data, dict) or not set(data) <= _KEYS:
        raise InvalidInput(f"a seed is an object with the keys {', '.join(sorted(_KEYS))}")
    return data


Definition = TypeVar("Definition", EntityType, RelationType)


def keeping_additions(wanted: Definition, stored: Definition | None) -> Definition:
    """``wanted``, plus the properties ``stored`` has and it lacks (kept after its own).

    >>> from graph_crm.model.types import parse_entity_type
    >>> name = {"name": "name", "kind": "STRING"}
    >>> seeded = parse_entity_type({"name": "Warehouse", "properties": [name]})
    >>> office = {"name": "customsOffice", "kind": "STRING"}
    >>> grown = parse_entity_type({"name": "Warehouse", "properties": [name, office]})
    >>> [p.name for p in keeping_additions(seeded, grown).properties]
    ['name', 'customsOffice']
    """
    if stored is None:
        return wanted
    names = {spec.name for spec in wanted.properties}
    added: tuple[PropertySpec, ...] = tuple(
        spec for spec in stored.properties if spec.name not in names
    )
    if not added:
        return wanted
    return wanted.model_copy(update={"properties": (*wanted.properties, *added)})


_LOOKUP_BATCH = 1_000


async def _keeping_values(
    store: GraphStore, type_name: str, records: Any
) -> list[Mapping[str, Any]]:
    """The seed's records, each with the stored values of properties it does not name
    (an upsert replaces an entity whole: this keeps what a user added since)."""
    if not isinstance(records, list):
        return records  # type: ignore[no-any-return]  # the upsert refuses it clearly
    merged: list[Mapping[str, Any]] = []
    for start in range(0, len(records), _LOOKUP_BATCH):
        batch = records[start : start + _LOOKUP_BATCH]
        keyed = [r for r in batch if isinstance(r, Mapping) and isinstance(r.get("key"), str)]
        stored = await store.get_entities([f"{type_name}:{r['key']}" for r in keyed])
        found = {
            record["key"]: entity.properties
            for record, entity in zip(keyed, stored, strict=True)
            if entity is not None
        }
        for record in batch:
            kept = found.get(record.get("key")) if isinstance(record, Mapping) else None
            merged.append({**kept, **record} if kept else record)
    return merged


async def apply_seed(store: GraphStore, seed: Mapping[str, Any], *, actor: str) -> SeedResult:
    result = SeedResult()
    registry = await store.registry()
    for raw in seed.get("entityTypes", []):
        parsed = parse_entity_type(raw)
        existing = registry.entity_types.get(parsed.name)
        entity_type = keeping_additions(parsed, existing)
        if existing is None:
            await store.define_entity_type(entity_type, actor=actor)
            result.defined.append(entity_type.name)
        elif existing != entity_type:
            await store.alter_entity_type(entity_type, actor=actor)
            result.altered.append(entity_type.name)
    for raw in seed.get("relationTypes", []):
        parsed_relation = parse_relation_type(raw)
        existing_relation = registry.relation_types.get(parsed_relation.name)
        relation_type = keeping_additions(parsed_relation, existing_relation)
        if existing_relation is None:
            await store.define_relation_type(relation_type, actor=actor)
            result.defined.append(relation_type.name)
        elif existing_relation != relation_type:
            await store.alter_relation_type(relation_type, actor=actor)
            result.altered.append(relation_type.name)
    for type_name, records in dict(seed.get("entities", {})).items():
        records = await _keeping_values(store, type_name, records)
        written = await store.upsert_entities(type_name, records, actor=actor)
        result.written[type_name] = written.created + written.updated
    for relation, links in dict(seed.get("links", {})).items():
        linked = await store.link(relation, links, actor=actor)
        result.linked[relation] = linked.created + linked.updated
    return result
