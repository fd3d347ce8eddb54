"""One requested definition change and what it needs: the parts every kind of change
shares (pure; the builders are in :mod:`graph_crm.store.definitions` and, for patches of
one property or of a type's own fields, :mod:`graph_crm.store.definition_patches`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Literal

from graph_crm.errors import GraphCrmError, Issue, PathPart
from graph_crm.model.registry import (
    ENTITY_TYPE,
    IMPACT_POLICY,
    RELATION_TYPE,
    Alteration,
    ChangeKind,
    Registry,
    RegistryChange,
)
from graph_crm.model.types import EntityType, RelationType

#: What a patch's stored definition is: the entity or relation type its ``type`` names.
PATCHED_TYPE: Final = "type"


class PatchKind(StrEnum):
    """A change of part of a type: one property, or the type's own fields. Recorded as
    the ALTER_ENTITY_TYPE or ALTER_RELATION_TYPE it amounts to."""

    ADD_PROPERTY = "ADD_PROPERTY"
    ALTER_PROPERTY = "ALTER_PROPERTY"
    DROP_PROPERTY = "DROP_PROPERTY"
    ALTER_TYPE_DETAILS = "ALTER_TYPE_DETAILS"

    @property
    def definition_kind(self) -> str:
        return PATCHED_TYPE


OperationKind = ChangeKind | PatchKind


@dataclass(frozen=True)
class Population:
    """Whose stored data a change's rules depend on: entities or relations of one type."""

    kind: Literal["entity", "relation"]
    type_name: str


@dataclass(frozen=True)
class Backfill:
    """Defaults to write into every stored entity (or relation) of the altered type; and,
    for an entity type with computed properties, their values computed again from each
    entity's properties (by the registry the change makes: ``recompute`` says a computed
    property was added or changed, so that is needed even without defaults)."""

    definition: EntityType | RelationType
    values: dict[str, Any]
    recompute: bool = False


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
    ``resolve`` says which ALTER kind a patch amounts to in a registry (the type it names
    may be defined earlier in the same batch).
    """

    kind: OperationKind
    name: str
    rule: Rule = field(repr=False)
    where: tuple[PathPart, ...] = ()
    resolve: Callable[[Registry], ChangeKind] | None = field(default=None, repr=False)
    #: For a change made by itself: a path of the whole definition it makes, as a path in
    #: the change's own input (a patch's property is ``("property", ...)``), given the
    #: registry the validators judged.
    locate: Callable[[Registry, tuple[PathPart, ...]], tuple[PathPart, ...]] | None = field(
        default=None, repr=False
    )

    def counted(self, registry: Registry) -> Population | None:
        """The population :meth:`evolve` needs to know about (None: none); UnknownType if
        the change alters or drops a type ``registry`` does not hold."""
        kind = self.kind if self.resolve is None else self.resolve(registry)
        if kind in (ChangeKind.ALTER_ENTITY_TYPE, ChangeKind.DROP_ENTITY_TYPE):
            return Population("entity", registry.entity_type(self.name).name)
        if kind in (ChangeKind.ALTER_RELATION_TYPE, ChangeKind.DROP_RELATION_TYPE):
            return Population("relation", registry.relation_type(self.name).name)
        return None

    @property
    def may_add_unique(self) -> bool:
        """Whether the change may make a new entity type or unique property (a backend that
        cannot create constraints inside a data transaction prepares them first)."""
        return self.kind in (
            ChangeKind.DEFINE_ENTITY_TYPE,
            ChangeKind.ALTER_ENTITY_TYPE,
            PatchKind.ADD_PROPERTY,
            PatchKind.ALTER_PROPERTY,
        )

    def evolve(self, registry: Registry, populated: bool) -> Step:
        """The change applied to ``registry`` (``populated``: whether :meth:`counted` holds
        any data); raises what the registry's rules refuse."""
        return self.rule(registry, populated)

    def refusal(self, error: GraphCrmError, registry: Registry | None = None) -> list[Issue]:
        """``error``'s issues, located at this change (see ``where`` and ``locate``)."""
        if not self.where:
            if self.locate is None or registry is None:
                return list(error.issues)
            locate = self.locate
            return [Issue(i.code, i.message, locate(registry, i.path)) for i in error.issues]
        return located(error, self.where, self.kind, self.name)


def located(
    error: GraphCrmError, where: tuple[PathPart, ...], kind: OperationKind, name: str
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
    PATCHED_TYPE: "type",
}


def name_of(definition: Any) -> str:
    """The name a definition (or a drop's name, or a patch's ``type``) changes, for
    messages; "" if it has none."""
    if isinstance(definition, str):
        return definition[:80]
    if isinstance(definition, EntityType | RelationType):
        return definition.name
    if not isinstance(definition, Mapping):
        return ""
    name = definition.get("type", definition.get("name"))
    return name[:80] if isinstance(name, str) else ""


def backfill_of(
    definition: EntityType | RelationType,
    alteration: Alteration,
    before: EntityType | RelationType | None = None,
) -> Backfill | None:
    """What altering ``before`` into ``definition`` must write into stored data, if
    anything: defaults, and computed values when a computed property was added or its
    formula or kind changed."""
    recompute = before is not None and _computed(before) != _computed(definition)
    if not alteration.backfill and not recompute:
        return None
    return Backfill(definition, dict(alteration.backfill), recompute)


def _computed(definition: EntityType | RelationType) -> dict[str, tuple[Any, str]]:
    return {
        spec.name: (spec.computed, spec.kind)
        for spec in definition.properties
        if spec.computed is not None
    }
