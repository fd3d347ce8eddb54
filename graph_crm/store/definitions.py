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
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from graph_crm.clock import utc_now
from graph_crm.errors import GraphCrmError, Issue, LimitExceeded, PathPart, raise_issues
from graph_crm.impact.policy_registry import alter_policy, define_policy
from graph_crm.model.registry import (
    ENTITY_TYPE,
    IMPACT_POLICY,
    RELATION_TYPE,
    Alteration,
    ChangeKind,
    Registry,
    RegistryChange,
)
from graph_crm.model.types import EntityType, RelationType, parse_entity_type, parse_relation_type

#: Changes one batch may hold (a registry holds at most MAX_TYPES types, and policies).
MAX_BATCH: Final = 2_000
#: Problems one refused batch reports, at most.
MAX_BATCH_ISSUES: Final = 50


@dataclass(frozen=True)
class Population:
    """Whose stored data a change's rules depend on: entities or relations of one type."""

    kind: Literal["entity", "relation"]
    type_name: str


@dataclass(frozen=True)
class Backfill:
    """Defaults to write into every stored entity (or relation) of the altered type."""

    definition: EntityType | RelationType
    values: dict[str, Any]


@dataclass(frozen=True)
class Step:
    """One definition change worked out against the registry it applies to."""

    registry: Registry
    change: RegistryChange
    backfill: Backfill | None = None


Rule = Callable[[Registry, bool], Step]


@dataclass(frozen=True)
class DefinitionChange:
    """One requested change: its kind, the name it changes, and its rule (pure).

    ``where`` is where the change came from in the caller's input (a seed's
    ``("relationTypes", 1)``): a refusal's path starts there, and its message names the
    definition. A change made by itself (``where`` empty) is refused as its rule says.
    """

    kind: ChangeKind
    name: str
    rule: Rule = field(repr=False)
    where: tuple[PathPart, ...] = ()

    def counted(self, registry: Registry) -> Population | None:
        """The population :meth:`evolve` needs to know about (None: none); UnknownType if
        the change alters or drops a type ``registry`` does not hold."""
        if self.kind in (ChangeKind.ALTER_ENTITY_TYPE, ChangeKind.DROP_ENTITY_TYPE):
            return Population("entity", registry.entity_type(self.name).name)
        if self.kind in (ChangeKind.ALTER_RELATION_TYPE, ChangeKind.DROP_RELATION_TYPE):
            return Population("relation", registry.relation_type(self.name).name)
        return None

    @property
    def may_add_unique(self) -> bool:
        """Whether the change may make a new entity type or unique property (a backend that
        cannot create constraints inside a data transaction prepares them first)."""
        return self.kind in (ChangeKind.DEFINE_ENTITY_TYPE, ChangeKind.ALTER_ENTITY_TYPE)

    def evolve(self, registry: Registry, populated: bool) -> Step:
        """The change applied to ``registry`` (``populated``: whether :meth:`counted` holds
        any data); raises what the registry's rules refuse."""
        return self.rule(registry, populated)

    def refusal(self, error: GraphCrmError) -> list[Issue]:
        """``error``'s issues, located at this change (see ``where``)."""
        if not self.where:
            return list(error.issues)
        return located(error, self.where, self.kind, self.name)


def define_entity_type(definition: EntityType | Mapping[str, Any], actor: str) -> DefinitionChange:
    entity_type = parse_entity_type(definition)

    def rule(registry: Registry, populated: bool) -> Step:
        return Step(*registry.define_entity_type(entity_type, actor=actor, at=utc_now()))

    return DefinitionChange(ChangeKind.DEFINE_ENTITY_TYPE, entity_type.name, rule)


def alter_entity_type(definition: EntityType | Mapping[str, Any], actor: str) -> DefinitionChange:
    entity_type = parse_entity_type(definition)

    def rule(registry: Registry, populated: bool) -> Step:
        new, change, alteration = registry.alter_entity_type(
            entity_type, populated=populated, actor=actor, at=utc_now()
        )
        return Step(new, change, _backfill(entity_type, alteration))

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
        return Step(new, change, _backfill(relation_type, alteration))

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

    return DefinitionChange(ChangeKind.DEFINE_IMPACT_POLICY, _name_of(definition), rule)


def alter_impact_policy(definition: Mapping[str, Any], actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Step:
        return Step(*alter_policy(registry, definition, actor, at=utc_now()))

    return DefinitionChange(ChangeKind.ALTER_IMPACT_POLICY, _name_of(definition), rule)


def drop_impact_policy(name: str, actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Step:
        return Step(*registry.drop_policy(name, actor=actor, at=utc_now()))

    return DefinitionChange(ChangeKind.DROP_IMPACT_POLICY, name, rule)


@dataclass(frozen=True)
class DefinitionOperation:
    """One change asked for as data: its kind, and the definition (a name, for a drop).

    ``where`` locates it in the caller's input (default: ``("definitions", index)``).
    """

    kind: ChangeKind
    definition: Any
    where: tuple[PathPart, ...] = ()


_BUILDERS: Final[dict[ChangeKind, Callable[[Any, str], DefinitionChange]]] = {
    ChangeKind.DEFINE_ENTITY_TYPE: define_entity_type,
    ChangeKind.ALTER_ENTITY_TYPE: alter_entity_type,
    ChangeKind.DROP_ENTITY_TYPE: drop_entity_type,
    ChangeKind.DEFINE_RELATION_TYPE: define_relation_type,
    ChangeKind.ALTER_RELATION_TYPE: alter_relation_type,
    ChangeKind.DROP_RELATION_TYPE: drop_relation_type,
    ChangeKind.DEFINE_IMPACT_POLICY: define_impact_policy,
    ChangeKind.ALTER_IMPACT_POLICY: alter_impact_policy,
    ChangeKind.DROP_IMPACT_POLICY: drop_impact_policy,
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
        where = operation.where or ("definitions", index)
        try:
            change = _BUILDERS[operation.kind](operation.definition, actor)
        except GraphCrmError as error:
            first = first or error
            name = _name_of(operation.definition)
            issues.extend(located(error, where, operation.kind, name))
            continue
        changes.append(replace(change, where=where))
    if first is not None:
        raise_issues(type(first), issues[:MAX_BATCH_ISSUES])
    return changes


def located(
    error: GraphCrmError, where: tuple[PathPart, ...], kind: ChangeKind, name: str
) -> list[Issue]:
    """``error``'s issues with paths under ``where``, their messages naming the definition.

    >>> from graph_crm.errors import UnknownType
    >>> error = UnknownType("its 'to' entity type 'Warehous' does not exist", path=("to",))
    >>> located(error, ("relationTypes", 1), ChangeKind.DEFINE_RELATION_TYPE, "STORED_AT")
    [Issue(code='UNKNOWN_TYPE', message="relation type 'STORED_AT': its 'to' entity type \
'Warehous' does not exist", path=('relationTypes', 1, 'to'))]
    """
    noun = _NOUNS[kind.definition_kind]
    named = f"{noun} {name!r}" if name else noun
    return [
        Issue(
            issue.code,
            issue.message if name and repr(name) in issue.message else f"{named}: {issue.message}",
            (*where, *issue.path),
        )
        for issue in error.issues
    ]


_NOUNS: Final = {
    ENTITY_TYPE: "entity type",
    RELATION_TYPE: "relation type",
    IMPACT_POLICY: "impact policy",
}


def _name_of(definition: Any) -> str:
    if isinstance(definition, str):
        return definition[:80]
    if isinstance(definition, EntityType | RelationType):
        return definition.name
    name = definition.get("name") if isinstance(definition, Mapping) else None
    return name[:80] if isinstance(name, str) else ""


def _backfill(definition: EntityType | RelationType, alteration: Alteration) -> Backfill | None:
    return Backfill(definition, dict(alteration.backfill)) if alteration.backfill else None
