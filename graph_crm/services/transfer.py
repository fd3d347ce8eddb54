"""Export and import a whole graph (types and data) as JSON Lines.

The file is backend-neutral, so ``graph-crm export`` on the embedded store and
``graph-crm import`` into Neo4j move a graph between them. Lines, in order::

    {"kind": "header", "format": "graph-crm/1", "registryVersion": 7, "entities": N, ...}
    {"kind": "change", "change": {...}}    every registry change, oldest first
    {"kind": "entityType", "definition": {...}}
    {"kind": "relationType", "definition": {...}}
    {"kind": "entity", "type": "Customer", "key": "...", "properties": {...}, ...}
    {"kind": "relation", "type": "HAS_SUBSIDIARY", "from": "...", "to": "...", ...}

Import reads the file twice: first it checks every line (nothing is written if any
line is bad), then it writes into an empty store in atomic batches.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Final, Protocol

from graph_crm.errors import GraphCrmError, InvalidInput
from graph_crm.model.formula.stored import (
    computed_names,
    materialized_formulas,
    with_computed,
)
from graph_crm.model.graph import Entity, Relation, entity_to_json, relation_to_json
from graph_crm.model.records import check_entity_records, check_links
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.types import EntityType, RelationType, parse_entity_type, parse_relation_type
from graph_crm.store.base import DEFAULT_ACTOR, GraphStore

FORMAT: Final = "graph-crm/1"
BATCH: Final = 5_000

Progress = Callable[[int], object]


class Restorer(Protocol):
    """Where an import writes: an empty store, or the files of Neo4j's bulk importer
    (:mod:`graph_crm.services.csv_import.admin_dump`)."""

    async def restore_registry(
        self, registry: Registry, changes: Sequence[RegistryChange], *, actor: str = ...
    ) -> None: ...

    async def restore_entities(
        self, type_name: str, entities: Sequence[Entity], *, actor: str = ...
    ) -> None: ...

    async def restore_relations(
        self, relation_type: str, relations: Sequence[Relation], *, actor: str = ...
    ) -> None: ...


def _line(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


async def export_graph(store: GraphStore, out: IO[str], progress: Progress | None = None) -> int:
    """Write the whole graph to ``out``; returns the number of entity and relation lines."""
    registry = await store.registry()
    changes = await store.registry_changes()
    counts = await store.counts()
    out.write(
        _line(
            {
                "kind": "header",
                "format": FORMAT,
                "registryVersion": registry.version,
                "entities": sum(counts.entities.values()),
                "relations": sum(counts.relations.values()),
            }
        )
    )
    for change in changes:
        out.write(_line({"kind": "change", "change": change.to_json()}))
    for item in registry.definitions_json():
        out.write(_line(item))
    written = 0
    for name in sorted(registry.entity_types):
        definition = registry.entity_types[name]
        async for entities in store.iter_entities(name):
            for entity in entities:
                out.write(_line({"kind": "entity", **entity_to_json(entity, definition)}))
            written += len(entities)
            if progress:
                progress(len(entities))
    for name in sorted(registry.relation_types):
        relation_type = registry.relation_types[name]
        async for relations in store.iter_relations(name):
            for relation in relations:
                out.write(_line({"kind": "relation", **relation_to_json(relation, relation_type)}))
            written += len(relations)
            if progress:
                progress(len(relations))
    return written


@dataclass
class ImportPlan:
    """What pass one found: the registry to install and how much data follows."""

    registry: Registry
    changes: list[RegistryChange]
    entities: int
    relations: int


def _read_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise InvalidInput(
                    f"line {number}: not JSON ({exc.msg})", path=("line", number)
                ) from None
            if not isinstance(data, dict) or "kind" not in data:
                raise InvalidInput(
                    f"line {number}: expected an object with a kind", path=("line", number)
                )
            yield number, data


def _timestamp(value: Any, number: int) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"line {number}: bad timestamp {str(value)[:40]!r}", path=("line", number)
        ) from None
    if parsed.tzinfo is None:
        raise InvalidInput(f"line {number}: timestamp without time zone", path=("line", number))
    return parsed


def _entity(registry: Registry, type_name: str, data: dict[str, Any], number: int) -> Entity:
    definition = registry.entity_type(type_name)
    properties = data.get("properties") or {}
    if not isinstance(properties, dict):
        raise InvalidInput(f"line {number}: properties must be an object", path=("line", number))
    # computed values in the file are computed again, by the registry being restored
    computed = computed_names(definition)
    stored = {name: value for name, value in properties.items() if name not in computed}
    try:
        (record,) = check_entity_records(definition, [{**stored, "key": data.get("key")}])
        formulas = materialized_formulas(registry, definition.name)
        values = with_computed(formulas, record.properties, key=record.key)
    except GraphCrmError as error:
        raise InvalidInput(f"line {number}: {error.message}", path=("line", number)) from None
    return Entity(
        definition.name,
        record.key,
        values,
        _timestamp(data.get("createdAt"), number),
        _timestamp(data.get("updatedAt"), number),
    )


def _relation(definition: RelationType, data: dict[str, Any], number: int) -> Relation:
    try:
        (link,) = check_links(
            definition,
            [
                {
                    "from": data.get("from"),
                    "to": data.get("to"),
                    "properties": data.get("properties") or {},
                }
            ],
            with_properties=True,
        )
    except GraphCrmError as error:
        raise InvalidInput(f"line {number}: {error.message}", path=("line", number)) from None
    return Relation(
        definition.name,
        f"{definition.from_type}:{link.from_key}",
        f"{definition.to_type}:{link.to_key}",
        link.properties,
        _timestamp(data.get("createdAt"), number),
        _timestamp(data.get("updatedAt"), number),
    )


def check_import(path: Path) -> ImportPlan:
    """Pass one: check every line of an export without writing anything."""
    header: dict[str, Any] | None = None
    changes: list[RegistryChange] = []
    entity_types: list[EntityType] = []
    relation_types: list[RelationType] = []
    policies: dict[str, dict[str, Any]] = {}
    registry: Registry | None = None
    seen: set[str] = set()
    entities = relations = 0
    for number, data in _read_lines(path):
        kind = data["kind"]
        where = ("line", number)
        if header is None:
            if kind != "header" or data.get("format") != FORMAT:
                raise InvalidInput(f"line {number}: not a {FORMAT} export", path=where)
            header = data
            continue
        try:
            if kind == "change":
                changes.append(RegistryChange.from_json(data["change"]))
            elif kind == "entityType":
                entity_types.append(parse_entity_type(data["definition"]))
            elif kind == "relationType":
                relation_types.append(parse_relation_type(data["definition"]))
            elif kind == "impactPolicy":
                policies[str(data["definition"]["name"])] = dict(data["definition"])
            elif kind in ("entity", "relation"):
                if registry is None:
                    registry = Registry.from_definitions(
                        int(header["registryVersion"]), entity_types, relation_types, policies
                    )
                if kind == "entity":
                    entity = _entity(registry, str(data.get("type")), data, number)
                    if entity.id in seen:
                        raise InvalidInput(f"line {number}: {entity.id} appears twice", path=where)
                    seen.add(entity.id)
                    entities += 1
                else:
                    relation = _relation(
                        registry.relation_type(str(data.get("type"))), data, number
                    )
                    for end in (relation.from_id, relation.to_id):
                        if end not in seen:
                            raise InvalidInput(
                                f"line {number}: relation end {end} is not in the file", path=where
                            )
                    relations += 1
            else:
                raise InvalidInput(f"line {number}: unknown kind {str(kind)[:40]!r}", path=where)
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidInput(f"line {number}: malformed {kind} ({exc})", path=where) from None
        except GraphCrmError as error:
            if error.message.startswith("line "):
                raise
            raise type(error)(f"line {number}: {error.message}", path=where) from None
    if header is None:
        raise InvalidInput("the file is empty")
    if registry is None:
        registry = Registry.from_definitions(
            int(header["registryVersion"]), entity_types, relation_types, policies
        )
    return ImportPlan(registry, changes, entities, relations)


async def import_graph(
    store: Restorer,
    path: Path,
    progress: Progress | None = None,
    *,
    actor: str = DEFAULT_ACTOR,
) -> ImportPlan:
    """Pass two: write a checked export into an empty store, in atomic batches; each
    batch is audited as an import by ``actor``."""
    plan = check_import(path)
    await store.restore_registry(plan.registry, plan.changes, actor=actor)
    registry = plan.registry
    pending_type: str | None = None
    batch: list[Any] = []

    async def flush() -> None:
        if not batch or pending_type is None:
            return
        kind, name = pending_type.split(":", 1)
        if kind == "entity":
            await store.restore_entities(name, batch, actor=actor)
        else:
            await store.restore_relations(name, batch, actor=actor)
        if progress:
            progress(len(batch))
        batch.clear()

    for number, data in _read_lines(path):
        kind = data["kind"]
        if kind not in ("entity", "relation"):
            continue
        group = f"{kind}:{data['type']}"
        if group != pending_type or len(batch) >= BATCH:
            await flush()
            pending_type = group
        if kind == "entity":
            batch.append(_entity(registry, str(data["type"]), data, number))
        else:
            batch.append(_relation(registry.relation_type(data["type"]), data, number))
    await flush()
    return plan
