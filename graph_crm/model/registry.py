"""The type registry: every entity and relation type, versioned.

Pure: each change returns a new :class:`Registry` and the :class:`RegistryChange`
that records it (who, when, before, after). Backends persist both in the same
transaction, and pass in what only they know (whether a type holds data). The change
record is in :mod:`~graph_crm.model.registry_change`, the rules for altering a type that
holds data in :mod:`~graph_crm.model.alteration`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from graph_crm.errors import IncompatibleChange, InvalidInput, TypeExists, UnknownType
from graph_crm.model.alteration import Alteration, plan_alteration
from graph_crm.model.graphql_names import check_schema_names
from graph_crm.model.registry_change import (
    ENTITY_TYPE,
    IMPACT_POLICY,
    RELATION_TYPE,
    ChangeKind,
    RegistryChange,
    definition_json,
)
from graph_crm.model.types import (
    EntityType,
    RelationType,
    _TypeDefinition,
    parse_entity_type,
    parse_relation_type,
)

# The change record and the evolution rules live in their own modules; importers know
# them by this module, the registry's public home.
__all__ = [
    "ENTITY_TYPE",
    "IMPACT_POLICY",
    "MAX_TYPES",
    "RELATION_TYPE",
    "Alteration",
    "ChangeKind",
    "Registry",
    "RegistryChange",
    "RegistryValidator",
    "definition_json",
    "plan_alteration",
]

MAX_TYPES = 1_000


#: A rule a higher layer holds over the whole registry (stored impact policies must still
#: compile; formulas next). It sees each new registry with the change that made it, and
#: raises a :class:`~graph_crm.errors.GraphCrmError` to refuse the change.
RegistryValidator = Callable[["Registry", RegistryChange], None]


@dataclass(frozen=True)
class Registry:
    """An immutable snapshot of all type definitions at one version.

    Impact policies are kept as checked JSON: the model knows their names and history;
    :mod:`graph_crm.impact` knows what they mean. It checks a policy before it gets here,
    and, through ``validators``, again whenever the types it uses change: the registry
    runs its validators on every change and carries them into the registry it returns,
    so the model never imports the rules layered above it.
    """

    version: int = 0
    entity_types: dict[str, EntityType] = field(default_factory=dict)
    relation_types: dict[str, RelationType] = field(default_factory=dict)
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    validators: Sequence[RegistryValidator] = field(default=(), compare=False, repr=False)

    # -- lookups -------------------------------------------------------------------

    def entity_type(self, name: str) -> EntityType:
        try:
            return self.entity_types[name]
        except KeyError:
            raise UnknownType(f"there is no entity type {name[:80]!r}") from None

    def relation_type(self, name: str) -> RelationType:
        try:
            return self.relation_types[name]
        except KeyError:
            raise UnknownType(f"there is no relation type {name[:80]!r}") from None

    def relations_touching(self, entity_type: str) -> list[RelationType]:
        return [
            rt for rt in self.relation_types.values() if entity_type in (rt.from_type, rt.to_type)
        ]

    # -- changes -------------------------------------------------------------------

    def _change(
        self,
        kind: ChangeKind,
        name: str,
        actor: str,
        at: datetime,
        before: _TypeDefinition | dict[str, Any] | None,
        after: _TypeDefinition | dict[str, Any] | None,
        **updates: Any,
    ) -> tuple[Registry, RegistryChange]:
        if not actor or len(actor) > 200:
            raise InvalidInput("actor must be 1-200 characters")
        version = self.version + 1
        change = RegistryChange(
            version=version,
            kind=kind,
            name=name,
            actor=actor,
            at=at,
            before=definition_json(before) if before else None,
            after=definition_json(after) if after else None,
        )
        registry = replace(self, version=version, **updates)
        if after is not None and not isinstance(after, dict):
            owner = "entity type" if isinstance(after, EntityType) else "relation type"
            check_schema_names(registry, changed=f"{owner} {name!r}")
        for validate in self.validators:
            validate(registry, change)
        return registry, change

    def _check_room(self) -> None:
        if len(self.entity_types) + len(self.relation_types) >= MAX_TYPES:
            raise InvalidInput(f"a registry holds at most {MAX_TYPES} types")

    def define_entity_type(
        self, entity_type: EntityType, *, actor: str, at: datetime
    ) -> tuple[Registry, RegistryChange]:
        if entity_type.name in self.entity_types:
            raise TypeExists(f"entity type {entity_type.name!r} already exists")
        self._check_room()
        types = {**self.entity_types, entity_type.name: entity_type}
        return self._change(
            ChangeKind.DEFINE_ENTITY_TYPE,
            entity_type.name,
            actor,
            at,
            None,
            entity_type,
            entity_types=types,
        )

    def alter_entity_type(
        self, entity_type: EntityType, *, populated: bool, actor: str, at: datetime
    ) -> tuple[Registry, RegistryChange, Alteration]:
        old = self.entity_type(entity_type.name)
        alteration = plan_alteration(old, entity_type, populated=populated)
        types = {**self.entity_types, entity_type.name: entity_type}
        registry, change = self._change(
            ChangeKind.ALTER_ENTITY_TYPE,
            entity_type.name,
            actor,
            at,
            old,
            entity_type,
            entity_types=types,
        )
        return registry, change, alteration

    def drop_entity_type(
        self, name: str, *, populated: bool, actor: str, at: datetime
    ) -> tuple[Registry, RegistryChange]:
        old = self.entity_type(name)
        if populated:
            raise IncompatibleChange(
                f"entity type {name!r} still holds entities: delete them first"
            )
        touching = self.relations_touching(name)
        if touching:
            names = ", ".join(sorted(rt.name for rt in touching))
            raise IncompatibleChange(
                f"entity type {name!r} is used by relation type(s) {names}: drop them first"
            )
        types = {k: v for k, v in self.entity_types.items() if k != name}
        return self._change(
            ChangeKind.DROP_ENTITY_TYPE, name, actor, at, old, None, entity_types=types
        )

    def define_relation_type(
        self, relation_type: RelationType, *, actor: str, at: datetime
    ) -> tuple[Registry, RegistryChange]:
        if relation_type.name in self.relation_types:
            raise TypeExists(f"relation type {relation_type.name!r} already exists")
        for end, type_name in (("from", relation_type.from_type), ("to", relation_type.to_type)):
            if type_name not in self.entity_types:
                raise UnknownType(
                    f"relation type {relation_type.name!r}: its '{end}' entity type "
                    f"{type_name!r} does not exist",
                    path=(end,),
                )
        self._check_room()
        types = {**self.relation_types, relation_type.name: relation_type}
        return self._change(
            ChangeKind.DEFINE_RELATION_TYPE,
            relation_type.name,
            actor,
            at,
            None,
            relation_type,
            relation_types=types,
        )

    def alter_relation_type(
        self, relation_type: RelationType, *, populated: bool, actor: str, at: datetime
    ) -> tuple[Registry, RegistryChange, Alteration]:
        old = self.relation_type(relation_type.name)
        if (old.from_type, old.to_type) != (relation_type.from_type, relation_type.to_type):
            raise IncompatibleChange(
                f"relation type {old.name!r} goes from {old.from_type} to {old.to_type}; "
                "its ends cannot change (define a new relation type instead)"
            )
        alteration = plan_alteration(old, relation_type, populated=populated)
        types = {**self.relation_types, relation_type.name: relation_type}
        registry, change = self._change(
            ChangeKind.ALTER_RELATION_TYPE,
            relation_type.name,
            actor,
            at,
            old,
            relation_type,
            relation_types=types,
        )
        return registry, change, alteration

    def drop_relation_type(
        self, name: str, *, populated: bool, actor: str, at: datetime
    ) -> tuple[Registry, RegistryChange]:
        old = self.relation_type(name)
        if populated:
            raise IncompatibleChange(
                f"relation type {name!r} still links entities: unlink them first"
            )
        types = {k: v for k, v in self.relation_types.items() if k != name}
        return self._change(
            ChangeKind.DROP_RELATION_TYPE, name, actor, at, old, None, relation_types=types
        )

    def define_policy(
        self, name: str, policy: dict[str, Any], *, actor: str, at: datetime
    ) -> tuple[Registry, RegistryChange]:
        """Record a checked impact policy (``policy`` is its JSON form)."""
        if name in self.policies:
            raise TypeExists(f"impact policy {name!r} already exists")
        self._check_room()
        policies = {**self.policies, name: policy}
        return self._change(
            ChangeKind.DEFINE_IMPACT_POLICY, name, actor, at, None, policy, policies=policies
        )

    def alter_policy(
        self, name: str, policy: dict[str, Any], *, actor: str, at: datetime
    ) -> tuple[Registry, RegistryChange]:
        old = self.policy(name)
        policies = {**self.policies, name: policy}
        return self._change(
            ChangeKind.ALTER_IMPACT_POLICY, name, actor, at, old, policy, policies=policies
        )

    def drop_policy(
        self, name: str, *, actor: str, at: datetime
    ) -> tuple[Registry, RegistryChange]:
        old = self.policy(name)
        policies = {k: v for k, v in self.policies.items() if k != name}
        return self._change(
            ChangeKind.DROP_IMPACT_POLICY, name, actor, at, old, None, policies=policies
        )

    def policy(self, name: str) -> dict[str, Any]:
        try:
            return self.policies[name]
        except KeyError:
            raise UnknownType(f"there is no impact policy {name[:80]!r}") from None

    # -- persistence ---------------------------------------------------------------

    def definitions_json(self) -> list[dict[str, Any]]:
        """All definitions, entity types first, in a stable order."""
        entity = [
            {"kind": ENTITY_TYPE, "definition": definition_json(self.entity_types[name])}
            for name in sorted(self.entity_types)
        ]
        relation = [
            {"kind": RELATION_TYPE, "definition": definition_json(self.relation_types[name])}
            for name in sorted(self.relation_types)
        ]
        policies = [
            {"kind": IMPACT_POLICY, "definition": self.policies[name]}
            for name in sorted(self.policies)
        ]
        return entity + relation + policies

    @classmethod
    def from_definitions(
        cls,
        version: int,
        entity_types: list[EntityType],
        relation_types: list[RelationType],
        policies: Mapping[str, dict[str, Any]] | None = None,
        *,
        validators: Sequence[RegistryValidator] = (),
    ) -> Registry:
        return cls(
            version=version,
            entity_types={et.name: et for et in entity_types},
            relation_types={rt.name: rt for rt in relation_types},
            policies=dict(policies or {}),
            validators=tuple(validators),
        )

    @classmethod
    def from_stored(
        cls,
        version: int,
        items: Iterable[tuple[str, dict[str, Any]]],
        *,
        validators: Sequence[RegistryValidator] = (),
    ) -> Registry:
        """A registry from stored ``(kind, definition JSON)`` pairs, as the stores keep them."""
        entity_types: list[EntityType] = []
        relation_types: list[RelationType] = []
        policies: dict[str, dict[str, Any]] = {}
        for kind, data in items:
            if kind == ENTITY_TYPE:
                entity_types.append(parse_entity_type(data))
            elif kind == RELATION_TYPE:
                relation_types.append(parse_relation_type(data))
            elif kind == IMPACT_POLICY:
                policies[str(data["name"])] = data
            else:
                raise ValueError(f"unknown stored definition kind {kind!r}")
        return cls.from_definitions(
            version, entity_types, relation_types, policies, validators=validators
        )
