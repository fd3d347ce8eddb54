"""Definition changes (define/alter/drop of entity types, relation types and impact
policies), written once for every backend.

A change is parsed and checked here, then handed to the backend's one primitive,
``apply_definition``: in one transaction the backend reads the current registry, counts
the population the change's rules need (:meth:`DefinitionChange.counted`), evolves the
registry (:meth:`DefinitionChange.evolve`, pure), applies the :class:`Evolution` to its
storage (unique indexes or constraints, back-fills) and records the change with its
audit record. A backend never decides what a change means; it only stores it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from graph_crm.clock import utc_now
from graph_crm.impact.policy_registry import alter_policy, define_policy
from graph_crm.model.audit import AuditRecord, definition_change
from graph_crm.model.registry import Alteration, ChangeKind, Registry, RegistryChange
from graph_crm.model.types import EntityType, RelationType, parse_entity_type, parse_relation_type


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
class Evolution:
    """A definition change worked out against the registry it applies to."""

    before: Registry
    registry: Registry
    change: RegistryChange
    backfill: Backfill | None = None

    @property
    def audit_record(self) -> AuditRecord:
        """The audit record stored with the change, in its transaction."""
        return definition_change(self.change)

    @property
    def unique_added(self) -> list[tuple[str, str]]:
        """(entity type, property) pairs unique after the change, not before."""
        return sorted(unique_pairs(self.registry) - unique_pairs(self.before))

    @property
    def unique_dropped(self) -> list[tuple[str, str]]:
        """(entity type, property) pairs unique before the change, not after."""
        return sorted(unique_pairs(self.before) - unique_pairs(self.registry))


def unique_pairs(registry: Registry) -> set[tuple[str, str]]:
    """Every (entity type, unique property) of ``registry``."""
    return {
        (entity_type.name, spec.name)
        for entity_type in registry.entity_types.values()
        for spec in entity_type.unique_properties
    }


Rule = Callable[[Registry, bool], Evolution]


@dataclass(frozen=True)
class DefinitionChange:
    """One requested change: its kind, the name it changes, and its rule (pure)."""

    kind: ChangeKind
    name: str
    rule: Rule = field(repr=False)

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

    def evolve(self, registry: Registry, populated: bool) -> Evolution:
        """The change applied to ``registry`` (``populated``: whether :meth:`counted` holds
        any data); raises what the registry's rules refuse."""
        return self.rule(registry, populated)


def define_entity_type(definition: EntityType | Mapping[str, Any], actor: str) -> DefinitionChange:
    entity_type = parse_entity_type(definition)

    def rule(registry: Registry, populated: bool) -> Evolution:
        return Evolution(
            registry, *registry.define_entity_type(entity_type, actor=actor, at=utc_now())
        )

    return DefinitionChange(ChangeKind.DEFINE_ENTITY_TYPE, entity_type.name, rule)


def alter_entity_type(definition: EntityType | Mapping[str, Any], actor: str) -> DefinitionChange:
    entity_type = parse_entity_type(definition)

    def rule(registry: Registry, populated: bool) -> Evolution:
        new, change, alteration = registry.alter_entity_type(
            entity_type, populated=populated, actor=actor, at=utc_now()
        )
        return Evolution(registry, new, change, _backfill(entity_type, alteration))

    return DefinitionChange(ChangeKind.ALTER_ENTITY_TYPE, entity_type.name, rule)


def drop_entity_type(name: str, actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Evolution:
        return Evolution(
            registry,
            *registry.drop_entity_type(name, populated=populated, actor=actor, at=utc_now()),
        )

    return DefinitionChange(ChangeKind.DROP_ENTITY_TYPE, name, rule)


def define_relation_type(
    definition: RelationType | Mapping[str, Any], actor: str
) -> DefinitionChange:
    relation_type = parse_relation_type(definition)

    def rule(registry: Registry, populated: bool) -> Evolution:
        return Evolution(
            registry, *registry.define_relation_type(relation_type, actor=actor, at=utc_now())
        )

    return DefinitionChange(ChangeKind.DEFINE_RELATION_TYPE, relation_type.name, rule)


def alter_relation_type(
    definition: RelationType | Mapping[str, Any], actor: str
) -> DefinitionChange:
    relation_type = parse_relation_type(definition)

    def rule(registry: Registry, populated: bool) -> Evolution:
        new, change, alteration = registry.alter_relation_type(
            relation_type, populated=populated, actor=actor, at=utc_now()
        )
        return Evolution(registry, new, change, _backfill(relation_type, alteration))

    return DefinitionChange(ChangeKind.ALTER_RELATION_TYPE, relation_type.name, rule)


def drop_relation_type(name: str, actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Evolution:
        return Evolution(
            registry,
            *registry.drop_relation_type(name, populated=populated, actor=actor, at=utc_now()),
        )

    return DefinitionChange(ChangeKind.DROP_RELATION_TYPE, name, rule)


def define_impact_policy(definition: Mapping[str, Any], actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Evolution:
        return Evolution(registry, *define_policy(registry, definition, actor, at=utc_now()))

    return DefinitionChange(ChangeKind.DEFINE_IMPACT_POLICY, _policy_name(definition), rule)


def alter_impact_policy(definition: Mapping[str, Any], actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Evolution:
        return Evolution(registry, *alter_policy(registry, definition, actor, at=utc_now()))

    return DefinitionChange(ChangeKind.ALTER_IMPACT_POLICY, _policy_name(definition), rule)


def drop_impact_policy(name: str, actor: str) -> DefinitionChange:
    def rule(registry: Registry, populated: bool) -> Evolution:
        return Evolution(registry, *registry.drop_policy(name, actor=actor, at=utc_now()))

    return DefinitionChange(ChangeKind.DROP_IMPACT_POLICY, name, rule)


def _backfill(definition: EntityType | RelationType, alteration: Alteration) -> Backfill | None:
    return Backfill(definition, dict(alteration.backfill)) if alteration.backfill else None


def _policy_name(definition: Mapping[str, Any]) -> str:
    # only a label for the request: the policy's parser checks the name (and the shape)
    name = definition.get("name") if isinstance(definition, Mapping) else None
    return name if isinstance(name, str) else ""
