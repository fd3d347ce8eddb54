"""Load a seed file: type definitions, impact policies, entities and links, idempotently.

A seed is one JSON object::

    {"entityTypes": [...], "relationTypes": [...], "impactPolicies": [...],
     "entities": {"Customer": [{"key": ...}, ...]}, "links": {"HAS_SUBSIDIARY": [...]}}

Types that exist with the same definition are left alone, changed ones are altered
(so the usual evolution rules apply), new ones are defined; policies likewise. A
property someone added to a seeded type since is kept: a seed adds what is missing and
leaves additions alone. Re-running a seed changes nothing.

The whole seed is checked before anything is written: every definition (against the
registry the seed's definitions make), every record and link, and that every link's
ends exist, stored or in the seed. Every problem found is reported, at its path in the
seed (``relationTypes/1/to``), and that no stored entity of another key holds a unique
value of the seed's. The definitions are then applied as one registry change (one
version; all of them or none), then the data as one transaction (every entity and link
of the seed, or none: :meth:`~graph_crm.store.base.GraphStore.write_batch`).

Two transactions, not one: Neo4j does not let a transaction change the schema (a type's
key constraint) and write data. So a write that another client races between the check
and the data's transaction (taking a unique value the seed holds) leaves the definitions
applied and no data of the seed; running the seed again completes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from graph_crm.errors import GraphCrmError, InvalidInput
from graph_crm.impact.policy_spec import policy_json
from graph_crm.model.registry import ChangeKind, Registry
from graph_crm.model.types import (
    EntityType,
    PropertyKind,
    PropertySpec,
    RelationType,
    parse_entity_type,
    parse_relation_type,
)
from graph_crm.services.seed_data import SeedData, check_seed_data
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation

_KEYS = {"description", "entityTypes", "relationTypes", "impactPolicies", "entities", "links"}


@dataclass
class SeedResult:
    defined: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    #: Impact policies defined or altered.
    policies: list[str] = field(default_factory=list)
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
    """``wanted``, plus the properties ``stored`` has and it lacks (kept after its own),
    the label property ``stored`` names if ``wanted`` names none, and the display labels
    ``stored`` has where ``wanted`` gives none.

    >>> from graph_crm.model.types import parse_entity_type
    >>> name = {"name": "name", "kind": "STRING"}
    >>> seeded = parse_entity_type({"name": "Warehouse", "properties": [name]})
    >>> office = {"name": "customsOffice", "kind": "STRING"}
    >>> grown = parse_entity_type({"name": "Warehouse", "properties": [name, office],
    ...                            "labelProperty": "customsOffice"})
    >>> kept = keeping_additions(seeded, grown)
    >>> [p.name for p in kept.properties], kept.label_property
    (['name', 'customsOffice'], 'customsOffice')
    """
    if stored is None:
        return wanted
    names = {spec.name for spec in wanted.properties}
    added: tuple[PropertySpec, ...] = tuple(
        spec for spec in stored.properties if spec.name not in names
    )
    update: dict[str, Any] = {}
    # display labels set since (in the console) stay, unless the seed gives its own
    own: tuple[PropertySpec, ...] = tuple(
        _labelled(spec, stored.spec(spec.name)) for spec in wanted.properties
    )
    if added or own != wanted.properties:
        update["properties"] = properties = (*own, *added)
    else:
        properties = wanted.properties
    if wanted.label is None and stored.label is not None:
        update["label"] = stored.label
    if isinstance(wanted, EntityType) and isinstance(stored, EntityType):
        label = stored.label_property
        # model_copy does not validate: the label kept must still name a STRING property
        kinds = {spec.name: spec.kind for spec in properties}
        if wanted.label_property is None and label and kinds.get(label) is PropertyKind.STRING:
            update["label_property"] = label
    return wanted.model_copy(update=update) if update else wanted


def _labelled(spec: PropertySpec, stored: PropertySpec | None) -> PropertySpec:
    if spec.label is not None or stored is None or stored.label is None:
        return spec
    return spec.model_copy(update={"label": stored.label})


@dataclass
class SeedPlan:
    """The definition changes a seed asks of a registry, and what they are."""

    operations: list[DefinitionOperation] = field(default_factory=list)
    result: SeedResult = field(default_factory=SeedResult)


def plan_definitions(registry: Registry, seed: Mapping[str, Any]) -> SeedPlan:
    """The changes that make ``registry`` hold the seed's definitions (none if it does).

    A definition that does not parse is passed on as it is, so that applying the plan
    reports it at its place, with every other problem.
    """
    plan = SeedPlan()
    _plan_types(
        plan, "entityTypes", _list(seed, "entityTypes"), registry.entity_types, parse_entity_type
    )
    _plan_types(
        plan,
        "relationTypes",
        _list(seed, "relationTypes"),
        registry.relation_types,
        parse_relation_type,
    )
    plan_policies(plan, _list(seed, "impactPolicies"), registry)
    return plan


def plan_policies(plan: SeedPlan, policies: Sequence[Any], registry: Registry) -> None:
    """Add to ``plan`` the policies that are new or differ from the stored ones."""
    for index, raw in enumerate(policies):
        where = ("impactPolicies", index)
        name = raw.get("name") if isinstance(raw, Mapping) else None
        stored = registry.policies.get(name) if isinstance(name, str) else None
        if stored is None:
            kind = ChangeKind.DEFINE_IMPACT_POLICY
        elif _normal(stored) != _normal(raw):
            kind = ChangeKind.ALTER_IMPACT_POLICY
        else:
            continue
        plan.operations.append(DefinitionOperation(kind, raw, where))
        plan.result.policies.append(str(name))


def _plan_types(
    plan: SeedPlan,
    key: str,
    raws: Sequence[Any],
    stored: Mapping[str, Definition],
    parse: Callable[[Any], Definition],
) -> None:
    entity = key == "entityTypes"
    define = ChangeKind.DEFINE_ENTITY_TYPE if entity else ChangeKind.DEFINE_RELATION_TYPE
    alter = ChangeKind.ALTER_ENTITY_TYPE if entity else ChangeKind.ALTER_RELATION_TYPE
    for index, raw in enumerate(raws):
        where = (key, index)
        try:
            parsed = parse(raw)
        except GraphCrmError:
            plan.operations.append(DefinitionOperation(define, raw, where))  # refused there
            continue
        existing = stored.get(parsed.name)
        wanted = keeping_additions(parsed, existing)
        if existing is None:
            plan.operations.append(DefinitionOperation(define, wanted, where))
            plan.result.defined.append(wanted.name)
        elif existing != wanted:
            plan.operations.append(DefinitionOperation(alter, wanted, where))
            plan.result.altered.append(wanted.name)


def _list(seed: Mapping[str, Any], key: str) -> Sequence[Any]:
    value = seed.get(key, [])
    if not isinstance(value, list):
        raise InvalidInput(f"{key} must be a list", path=(key,))
    return value


def _normal(policy: Any) -> str:
    try:
        return json.dumps(policy_json(policy), sort_keys=True)
    except GraphCrmError:
        return ""  # differs from any stored policy: applying it reports what is wrong


async def apply_seed(store: GraphStore, seed: Mapping[str, Any], *, actor: str) -> SeedResult:
    """Check the whole seed, then apply its definitions in one registry change, then its
    data (see the module's docstring)."""
    registry = await store.registry()
    plan = plan_definitions(registry, seed)
    planned = await store.apply_definitions(plan.operations, actor=actor, dry_run=True)
    data: SeedData = await check_seed_data(store, registry, planned, seed)
    await store.apply_definitions(plan.operations, actor=actor)
    result = plan.result
    if data.entities or data.links:
        batch = await store.write_batch(data.entities, data.links, actor=actor)
        for type_name, written in batch.written.items():
            result.written[type_name] = written.created + written.updated
        for relation, linked in batch.linked.items():
            result.linked[relation] = linked.created + linked.updated
    return result
