"""Load a seed file: type definitions, entities and links, idempotently.

A seed is one JSON object::

    {"entityTypes": [...], "relationTypes": [...],
     "entities": {"Customer": [{"key": ...}, ...]}, "links": {"HAS_SUBSIDIARY": [...]}}

Types that exist with the same definition are left alone, changed ones are altered
(so the usual evolution rules apply), new ones are defined. Re-running a seed
changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph_crm.errors import InvalidInput
from graph_crm.model.types import parse_entity_type, parse_relation_type
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


async def apply_seed(store: GraphStore, seed: Mapping[str, Any], *, actor: str) -> SeedResult:
    result = SeedResult()
    registry = await store.registry()
    for raw in seed.get("entityTypes", []):
        entity_type = parse_entity_type(raw)
        existing = registry.entity_types.get(entity_type.name)
        if existing is None:
            await store.define_entity_type(entity_type, actor=actor)
            result.defined.append(entity_type.name)
        elif existing != entity_type:
            await store.alter_entity_type(entity_type, actor=actor)
            result.altered.append(entity_type.name)
    for raw in seed.get("relationTypes", []):
        relation_type = parse_relation_type(raw)
        existing_relation = registry.relation_types.get(relation_type.name)
        if existing_relation is None:
            await store.define_relation_type(relation_type, actor=actor)
            result.defined.append(relation_type.name)
        elif existing_relation != relation_type:
            await store.alter_relation_type(relation_type, actor=actor)
            result.altered.append(relation_type.name)
    for type_name, records in dict(seed.get("entities", {})).items():
        written = await store.upsert_entities(type_name, records, actor=actor)
        result.written[type_name] = written.created + written.updated
    for relation, links in dict(seed.get("links", {})).items():
        linked = await store.link(relation, links, actor=actor)
        result.linked[relation] = linked.created + linked.updated
    return result
