"""A seed's entities and links, checked whole before anything is written.

Records are checked against the types the seed's definitions make (the registry a dry
run of them returns), links against their relation types, and every link's ends must
exist: stored already, or among the seed's own entities. Each problem is reported at its
path in the seed (``entities/Customer/3/tier``, ``links/HAS_SUBSIDIARY/0/to``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from graph_crm.errors import GraphCrmError, InvalidInput, Issue, NotFound, PathPart, raise_issues
from graph_crm.model.formula.stored import computed_names
from graph_crm.model.records import (
    MAX_ISSUES,
    EntityRecord,
    check_entity_records,
    check_key,
    check_links,
    global_id,
)
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType
from graph_crm.model.values import value_to_json
from graph_crm.store.base import GraphStore
from graph_crm.store.common import raise_unique_conflicts, unique_values_in_batch
from graph_crm.store.write_batch import issues_under

#: Entities read per look-up (stored values to keep, link ends that must exist).
LOOKUP_BATCH: Final = 1_000


@dataclass
class SeedData:
    """The seed's records (with the stored values they keep) and links, by type."""

    entities: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)
    links: dict[str, list[Mapping[str, Any]]] = field(default_factory=dict)


async def check_seed_data(
    store: GraphStore, stored: Registry, planned: Registry, seed: Mapping[str, Any]
) -> SeedData:
    """The seed's data, checked against ``planned`` (the registry its definitions make;
    ``stored`` is the one in the store now); raises every problem found."""
    data = SeedData()
    issues: list[Issue] = []
    first: list[type[GraphCrmError]] = []
    seeded: dict[str, set[str]] = {}
    for type_name, records in _groups(seed, "entities").items():
        # the seed's keys, even of records refused below: no link to them is reported too
        if isinstance(records, list):
            seeded[type_name] = {key for key in map(_valid_key, records) if key is not None}
        try:
            entity_type = planned.entity_type(type_name)
            merged = await _keeping_values(store, stored, type_name, records)
            checked = check_entity_records(entity_type, merged)
            unique = unique_values_in_batch(entity_type, checked)
            if type_name in stored.entity_types:
                await _raise_held_elsewhere(store, stored.entity_types[type_name], checked, unique)
        except GraphCrmError as error:
            _collect(error, ("entities", type_name), issues, first)
            continue
        data.entities[type_name] = merged
    for relation, links in _groups(seed, "links").items():
        try:
            relation_type = planned.relation_type(relation)
            checked_links = check_links(relation_type, links, with_properties=True)
        except GraphCrmError as error:
            _collect(error, ("links", relation), issues, first)
            continue
        data.links[relation] = links
        for end, type_name in (("from", relation_type.from_type), ("to", relation_type.to_type)):
            keys = [link.from_key if end == "from" else link.to_key for link in checked_links]
            missing = await _missing(store, stored, type_name, keys, seeded.get(type_name, set()))
            for index, key in enumerate(keys):
                if key in missing:
                    issues.append(
                        Issue(
                            NotFound.code,
                            f"{global_id(type_name, key)} does not exist, in the store or "
                            "in this seed",
                            ("links", relation, index, end),
                        )
                    )
                    first.append(NotFound)
    if issues:
        raise_issues(first[0], issues[:MAX_ISSUES])
    return data


async def _raise_held_elsewhere(
    store: GraphStore,
    stored_type: EntityType,
    records: Sequence[EntityRecord],
    unique: Mapping[str, Mapping[Any, int]],
) -> None:
    """UniqueViolation at each row whose unique value a stored entity of another key
    holds (the write would refuse it too: this finds it before the definitions apply)."""
    holders: dict[tuple[str, Any], str] = {}
    for name, values in unique.items():
        spec = stored_type.spec(name)
        if spec is None:
            continue  # a property the seed adds: nothing stored holds a value of it
        wanted = list(values)
        for start in range(0, len(wanted), LOOKUP_BATCH):
            chunk = wanted[start : start + LOOKUP_BATCH]
            where = {name: {"in": [value_to_json(spec.kind, value) for value in chunk]}}
            page = await store.list_entities(stored_type.name, where=where, first=LOOKUP_BATCH)
            for entity in page.items:
                holders[(name, entity.properties[name])] = entity.key
    raise_unique_conflicts(unique, records, holders, stored_type.name)


def _groups(seed: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = seed.get(key, {})
    if not isinstance(value, Mapping):
        raise InvalidInput(f"{key} must be an object: type name -> list of rows", path=(key,))
    return {str(name): rows for name, rows in value.items()}


def _collect(
    error: GraphCrmError,
    where: tuple[PathPart, ...],
    issues: list[Issue],
    first: list[type[GraphCrmError]],
) -> None:
    first.append(type(error))
    issues.extend(issues_under(error, where))


async def _keeping_values(
    store: GraphStore, stored: Registry, type_name: str, records: Any
) -> list[Mapping[str, Any]]:
    """The seed's records, each with the stored values of properties it does not name
    (an upsert replaces an entity whole: this keeps what a user added since)."""
    if not isinstance(records, list):
        raise InvalidInput("a type's entities are a list of records")
    if type_name not in stored.entity_types:
        return records  # a type the seed defines holds nothing yet
    merged: list[Mapping[str, Any]] = []
    computed = computed_names(stored.entity_types[type_name])  # the store computes them again
    for start in range(0, len(records), LOOKUP_BATCH):
        batch = records[start : start + LOOKUP_BATCH]
        keys = [_valid_key(record) for record in batch]
        looked_up = sorted({key for key in keys if key is not None})
        found_entities = await store.get_entities([global_id(type_name, k) for k in looked_up])
        found = {
            key: {name: v for name, v in entity.properties.items() if name not in computed}
            for key, entity in zip(looked_up, found_entities, strict=True)
            if entity is not None
        }
        for record, key in zip(batch, keys, strict=True):
            kept = found.get(key) if key is not None else None
            merged.append({**kept, **record} if kept else record)
    return merged


def _valid_key(record: object) -> str | None:
    """The record's key, if it has a valid one (the record check reports the others)."""
    if not isinstance(record, Mapping):
        return None
    try:
        return check_key(record.get("key"))
    except GraphCrmError:
        return None


async def _missing(
    store: GraphStore, stored: Registry, type_name: str, keys: Sequence[str], seeded: set[str]
) -> set[str]:
    """The ``keys`` of ``type_name`` neither in ``seeded`` nor stored."""
    wanted = sorted(set(keys) - seeded)
    if not wanted or type_name not in stored.entity_types:
        return set(wanted)
    missing: set[str] = set()
    for start in range(0, len(wanted), LOOKUP_BATCH):
        batch = wanted[start : start + LOOKUP_BATCH]
        found = await store.get_entities([global_id(type_name, key) for key in batch])
        missing.update(key for key, entity in zip(batch, found, strict=True) if entity is None)
    return missing
