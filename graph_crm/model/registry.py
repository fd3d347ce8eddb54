"""The type registry: every entity and relation type, versioned.

Pure: each change returns a new :class:`Registry` and the :class:`RegistryChange`
that records it (who, when, before, after). Backends persist both in the same
transaction, and pass in what only they know (whether a type holds data).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from graph_crm.errors import IncompatibleChange, InvalidInput, TypeExists, UnknownType
from graph_crm.model.naming import check_schema_names
from graph_crm.model.types import (
    EntityType,
    PropertySpec,
    RelationType,
    _TypeDefinition,
    parse_entity_type,
    parse_relation_type,
)
from graph_crm.model.values import datetime_to_text

MAX_TYPES = 1_000


class ChangeKind(StrEnum):
    DEFINE_ENTITY_TYPE = "DEFINE_ENTITY_TYPE"
    ALTER_ENTITY_TYPE = "ALTER_ENTITY_TYPE"
    DROP_ENTITY_TYPE = "DROP_ENTITY_TYPE"
    DEFINE_RELATION_TYPE = "DEFINE_RELATION_TYPE"
    ALTER_RELATION_TYPE = "ALTER_RELATION_TYPE"
    DROP_RELATION_TYPE = "DROP_RELATION_TYPE"
    DEFINE_IMPACT_POLICY = "DEFINE_IMPACT_POLICY"
    ALTER_IMPACT_POLICY = "ALTER_IMPACT_POLICY"
    DROP_IMPACT_POLICY = "DROP_IMPACT_POLICY"

    @property
    def definition_kind(self) -> str:
        """The kind of stored definition this change writes."""
        if "ENTITY" in self.value:
            return ENTITY_TYPE
        return RELATION_TYPE if "RELATION" in self.value else IMPACT_POLICY


#: Kinds of stored definitions, as persisted by the stores and in exports.
ENTITY_TYPE = "entityType"
RELATION_TYPE = "relationType"
IMPACT_POLICY = "impactPolicy"


@dataclass(frozen=True)
class RegistryChange:
    """One recorded definition change; ``version`` is the registry version it made."""

    version: int
    kind: ChangeKind
    name: str
    actor: str
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "kind": self.kind.value,
            "name": self.name,
            "actor": self.actor,
            "at": datetime_to_text(self.at),
            "before": self.before,
            "after": self.after,
        }

    def to_record(self) -> dict[str, Any]:
        """A flat row for storage: ``before``/``after`` as JSON text."""
        data = self.to_json()
        for side in ("before", "after"):
            data[side] = json.dumps(data[side], ensure_ascii=False) if data[side] else None
        return data

    @classmethod
    def from_record(cls, row: dict[str, Any]) -> RegistryChange:
        data = dict(row)
        for side in ("before", "after"):
            data[side] = json.loads(data[side]) if data.get(side) else None
        return cls.from_json(data)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RegistryChange:
        return cls(
            version=int(data["version"]),
            kind=ChangeKind(data["kind"]),
            name=str(data["name"]),
            actor=str(data["actor"]),
            at=datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00")),
            before=data.get("before"),
            after=data.get("after"),
        )


@dataclass(frozen=True)
class Alteration:
    """What altering a type does to stored data."""

    added: tuple[PropertySpec, ...] = ()
    #: Properties to back-fill on existing entities: name -> default value.
    backfill: dict[str, Any] = field(default_factory=dict)
    #: Properties that became unique (only allowed while the type is empty).
    new_unique: tuple[str, ...] = ()
    #: Properties removed (only allowed while the type is empty).
    removed: tuple[str, ...] = ()
    #: Properties that stopped being unique.
    dropped_unique: tuple[str, ...] = ()


def definition_json(definition: _TypeDefinition | dict[str, Any]) -> dict[str, Any]:
    if isinstance(definition, dict):
        return definition  # an impact policy, kept as the JSON its parser produced
    return definition.model_dump(mode="json", by_alias=True)


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


def plan_alteration(old: _TypeDefinition, new: _TypeDefinition, *, populated: bool) -> Alteration:
    """Say what changing ``old`` into ``new`` does, or refuse why it would break data.

    Allowed on a populated type: adding optional properties, adding required ones
    with a default (back-filled), adding enum values, editing descriptions, relaxing
    ``required`` and ``unique``. Everything else only while the type is empty.
    """
    if not populated:
        # Nothing stored can break; still report what the store must do.
        removed = tuple(s.name for s in old.properties if new.spec(s.name) is None)
        new_unique = tuple(
            s.name
            for s in new.properties
            if s.unique and not ((o := old.spec(s.name)) is not None and o.unique)
        )
        dropped = tuple(
            s.name
            for s in old.properties
            if s.unique and not ((n := new.spec(s.name)) is not None and n.unique)
        )
        return Alteration(
            added=tuple(s for s in new.properties if old.spec(s.name) is None),
            new_unique=new_unique,
            removed=removed,
            dropped_unique=dropped,
        )

    name = old.name
    why_empty = f"{name} holds data, so this change is only allowed while it is empty"
    added: list[PropertySpec] = []
    backfill: dict[str, Any] = {}
    dropped_unique: list[str] = []
    for old_spec in old.properties:
        if new.spec(old_spec.name) is None:
            raise IncompatibleChange(
                f"removing property {old_spec.name!r} would lose stored values: {why_empty}",
                path=("properties", old_spec.name),
            )
    for spec in new.properties:
        before = old.spec(spec.name)
        path = ("properties", spec.name)
        if before is None:
            if spec.required and spec.default is None:
                raise IncompatibleChange(
                    f"new property {spec.name!r} is required but has no default, so existing "
                    f"{name} entities would be invalid: give it a default or make it optional",
                    path=path,
                )
            if spec.unique:
                raise IncompatibleChange(
                    f"new property {spec.name!r} cannot be unique: {why_empty}", path=path
                )
            added.append(spec)
            if spec.default is not None:
                backfill[spec.name] = spec.default
            continue
        if spec.kind != before.kind:
            raise IncompatibleChange(
                f"property {spec.name!r} is {before.kind}; changing it to {spec.kind} would "
                f"invalidate stored values",
                path=path,
            )
        lost = [value for value in before.values if value not in spec.values]
        if lost:
            raise IncompatibleChange(
                f"property {spec.name!r}: removing enum value(s) {', '.join(lost)} could "
                f"invalidate stored values: {why_empty}",
                path=path,
            )
        if spec.required and not before.required:
            if spec.default is None:
                raise IncompatibleChange(
                    f"property {spec.name!r} cannot become required without a default: "
                    "stored entities may lack it",
                    path=path,
                )
            backfill[spec.name] = spec.default
        if spec.unique and not before.unique:
            raise IncompatibleChange(
                f"property {spec.name!r} cannot become unique: {why_empty}", path=path
            )
        if before.unique and not spec.unique:
            dropped_unique.append(spec.name)
    return Alteration(added=tuple(added), backfill=backfill, dropped_unique=tuple(dropped_unique))
