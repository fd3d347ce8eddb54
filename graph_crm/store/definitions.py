"""Definition changes (define/alter/drop of entity types, relation types and impact
policies), written once for every backend.

A change is parsed and checked here; changes go to the backend as a batch
(:class:`~graph_crm.store.definition_batch.DefinitionBatch`; one change is a batch of
one) through its one primitive, ``apply_definitions``: in one transaction the backend
reads the current registry, counts the populations the changes' rules need, evolves the
registry by every change in turn (pure) into one new version, applies the resulting
:class:`~graph_crm.store.definition_batch.Evolution` to its storage (unique indexes or
constraints, back-fills) and records each change with its audit record. A backend never
decides what a change means; it only stores it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from graph_crm.clock import utc_now
from graph_crm.errors import GraphCrmError, Issue, LimitExceeded, PathPart, raise_issues
from graph_crm.impact.policy_registry import alter_policy, define_policy
from graph_crm.model.registry import ChangeKind, Registry
from graph_crm.model.types import EntityType, RelationType, parse_entity_type, parse_relation_type
from graph_crm.store.definition_change import (
    Backfill,
    DefinitionChange,
    OperationKind,
    PatchKind,
    Population,
    Step,
    backfill_of,
    located,
    name_of,
)
from graph_crm.store.definition_patches import (
    add_property,
    alter_property,
    alter_type_details,
    drop_property,
)

# The parts every change shares live in definition_change; importers know them here.
__all__ = [
    "MAX_BATCH",
    "MAX_BATCH_ISSUES",
    "Backfill",
    "DefinitionChange",
    "DefinitionOperation",
    "OperationKind",
    "PatchKind",
    "Population",
    "Step",
    "located",
    "parse_operations",
]

#: Changes one batch may hold (a registry holds at most MAX_TYPES types, and policies).
MAX_BATCH: Final = 2_000
#: Problems one refused batch reports, at most.
MAX_BATCH_ISSUES: Final = 50


def define_entity_type(definition: EntityType | Mapping[str, Any], actor: str) -> DefinitionChange:
    entity_type = parse_entity_type(definition)

    def rule(registry: Registry, populated: bool) -> Step:
        return Step(*registry.define_entity_type(entity_type, actor=actor, at=utc_now()))

    return DefinitionChange(ChangeKind.DEFINE_ENTITY_TYPE, entity_type.name, rule)


def alter_entity_type(definition: EntityType | Mapping[str, Any], actor: str) -> DefinitionChange:
    entity_type = parse_entity_type(definition)

    def rule(registry: Registry, populated: bool) -> Step:
        before = registry.entity_types.get(entity_type.name)
        new, change, alteration = registry.alter_entity_type(
            entity_type, populated=populated, actor=actor, at=utc_now()
        )
        return Step(new, change, backfill_of(entity_type, alteration, before))

    return DefinitionChange(ChangeKind.ALTER_ENTITY_TYPE, entity_type.name, rule)


def drop_entity_type(name: str, actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Step:
        return Step(
            *registry.drop_entity_type(name, populated=populated, actor=actor, at=utc_now()),
        )

    return DefinitionChange(ChangeKind.DROP_ENTITY_TYPE, name, rule)


def define_relation_type(
    definition: RelationType | Mapping[str, Any], actor: str
) -> DefinitionChange:
    relation_type = parse_relation_type(definition)

    def rule(registry: Registry, populated: bool) -> Step:
        return Step(*registry.define_relation_type(relation_type, actor=actor, at=utc_now()))

    return DefinitionChange(ChangeKind.DEFINE_RELATION_TYPE, relation_type.name, rule)


def alter_relation_type(
    definition: RelationType | Mapping[str, Any], actor: str
) -> DefinitionChange:
    relation_type = parse_relation_type(definition)

    def rule(registry: Registry, populated: bool) -> Step:
        new, change, alteration = registry.alter_relation_type(
            relation_type, populated=populated, actor=actor, at=utc_now()
        )
        return Step(new, change, backfill_of(relation_type, alteration))

    return DefinitionChange(ChangeKind.ALTER_RELATION_TYPE, relation_type.name, rule)


def drop_relation_type(name: str, actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Step:
        return Step(
            *registry.drop_relation_type(name, populated=populated, actor=actor, at=utc_now()),
        )

    return DefinitionChange(ChangeKind.DROP_RELATION_TYPE, name, rule)


def define_impact_policy(definition: Mapping[str, Any], actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Step:
        return Step(*define_policy(registry, definition, actor, at=utc_now()))

    return DefinitionChange(ChangeKind.DEFINE_IMPACT_POLICY, name_of(definition), rule)


def alter_impact_policy(definition: Mapping[str, Any], actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Step:
        return Step(*alter_policy(registry, definition, actor, at=utc_now()))

    return DefinitionChange(ChangeKind.ALTER_IMPACT_POLICY, name_of(definition), rule)


def drop_impact_policy(name: str, actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Step:
        return Step(*registry.drop_policy(name, actor=actor, at=utc_now()))

    return DefinitionChange(ChangeKind.DROP_IMPACT_POLICY, name, rule)


@dataclass(frozen=True)
class DefinitionOperation:
    """One change asked for as data: its kind, and the definition (a name, for a drop;
    for a patch, the data :mod:`~graph_crm.store.definition_patches` describes).

    ``where`` locates it in the caller's input (None: ``("definitions", index)``; empty:
    the operation is the whole input, as a mutation's arguments are, and is refused as its
    rule says, at the paths of its own fields).
    """

    kind: OperationKind
    definition: Any
    where: tuple[PathPart, ...] | None = None


_BUILDERS: Final[dict[OperationKind, Callable[[Any, str], DefinitionChange]]] = {
    ChangeKind.DEFINE_ENTITY_TYPE: define_entity_type,
    ChangeKind.ALTER_ENTITY_TYPE: alter_entity_type,
    ChangeKind.DROP_ENTITY_TYPE: drop_entity_type,
    ChangeKind.DEFINE_RELATION_TYPE: define_relation_type,
    ChangeKind.ALTER_RELATION_TYPE: alter_relation_type,
    ChangeKind.DROP_RELATION_TYPE: drop_relation_type,
    ChangeKind.DEFINE_IMPACT_POLICY: define_impact_policy,
    ChangeKind.ALTER_IMPACT_POLICY: alter_impact_policy,
    ChangeKind.DROP_IMPACT_POLICY: drop_impact_policy,
    PatchKind.ADD_PROPERTY: add_property,
    PatchKind.ALTER_PROPERTY: alter_property,
    PatchKind.DROP_PROPERTY: drop_property,
    PatchKind.ALTER_TYPE_DETAILS: alter_type_details,
}


def parse_operations(
    operations: Sequence[DefinitionOperation], actor: str
) -> list[DefinitionChange]:
    """Parse every operation; refuse them all, with every problem located, if any is bad.

    >>> bad = DefinitionOperation(ChangeKind.DEFINE_RELATION_TYPE, {"name": "X", "from": "A"})
    >>> parse_operations([bad], "cli")
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: relation type 'X': to: Field required \
(at definitions/0/to)
    """
    if len(operations) > MAX_BATCH:
        raise LimitExceeded(f"one batch holds at most {MAX_BATCH} definition changes")
    changes: list[DefinitionChange] = []
    issues: list[Issue] = []
    first: GraphCrmError | None = None
    for index, operation in enumerate(operations):
        where = ("definitions", index) if operation.where is None else operation.where
        try:
            change = _BUILDERS[operation.kind](operation.definition, actor)
        except GraphCrmError as error:
            first = first or error
            name = name_of(operation.definition)
            issues.extend(located(error, where, operation.kind, name))
            continue
        changes.append(replace(change, where=where))
    if first is not None:
        raise_issues(type(first), issues[:MAX_BATCH_ISSUES])
    return changes
