"""Definition changes applied together: one new registry version, or nothing (pure).

A :class:`DefinitionBatch` evolves a registry by each of its changes in turn, so a
relation type may name an entity type defined earlier in the same batch. The registry's
validators (stored impact policies must still compile) judge the result once, as the
registry that will be stored, not the steps on the way. Every change the batch refuses is
reported (its path starting where the change came from), and then none is applied.

What comes out is one :class:`Evolution`: one version, each change a ``step`` of it with
its own history row and audit record, the back-fills in order, and the definitions to
store. A backend applies it in one transaction (``apply_definitions``).

A change that leaves its definition as it was (an alter to the same content) is no
change: it makes no step. A batch of nothing but such changes makes no version and no
audit record (:attr:`Evolution.unchanged`), so applying what is already there twice is
the same as once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from graph_crm.errors import GraphCrmError, Issue, raise_issues
from graph_crm.model.audit import AuditRecord, definition_change
from graph_crm.model.registry import (
    ENTITY_TYPE,
    RELATION_TYPE,
    Registry,
    RegistryChange,
    definition_json,
)
from graph_crm.model.types import EntityType, RelationType
from graph_crm.store.definitions import (
    MAX_BATCH_ISSUES,
    Backfill,
    DefinitionChange,
    Population,
    Step,
)


@dataclass(frozen=True)
class StoredDefinition:
    """A definition as the registry stores it after a batch (``definition`` None: dropped)."""

    kind: str
    name: str
    definition: dict[str, Any] | None


@dataclass(frozen=True)
class Evolution:
    """A batch worked out against the registry it applies to: one new version."""

    before: Registry
    registry: Registry
    #: The changes in the order applied: all of ``registry.version``, step 0, 1, ...
    changes: tuple[RegistryChange, ...]
    backfills: tuple[Backfill, ...] = ()

    @property
    def unchanged(self) -> bool:
        """Whether the batch changes nothing: the backend stores nothing."""
        return not self.changes

    @property
    def audit_records(self) -> list[AuditRecord]:
        """One record per change, stored with the batch, in its transaction."""
        return [definition_change(change) for change in self.changes]

    @property
    def unique_added(self) -> list[tuple[str, str]]:
        """(entity type, property) pairs unique after the batch, not before."""
        return sorted(unique_pairs(self.registry) - unique_pairs(self.before))

    @property
    def unique_dropped(self) -> list[tuple[str, str]]:
        """(entity type, property) pairs unique before the batch, not after."""
        return sorted(unique_pairs(self.before) - unique_pairs(self.registry))

    @property
    def stored(self) -> list[StoredDefinition]:
        """Every definition the batch changed, as it is after the batch, once each."""
        seen: dict[tuple[str, str], None] = {}
        for change in self.changes:
            seen.setdefault((change.kind.definition_kind, change.name))
        return [StoredDefinition(kind, name, self._after(kind, name)) for kind, name in seen]

    def _after(self, kind: str, name: str) -> dict[str, Any] | None:
        registry = self.registry
        found: EntityType | RelationType | dict[str, Any] | None
        if kind == ENTITY_TYPE:
            found = registry.entity_types.get(name)
        elif kind == RELATION_TYPE:
            found = registry.relation_types.get(name)
        else:
            found = registry.policies.get(name)
        return None if found is None else definition_json(found)


def unique_pairs(registry: Registry) -> set[tuple[str, str]]:
    """Every (entity type, unique property) of ``registry``."""
    return {
        (entity_type.name, spec.name)
        for entity_type in registry.entity_types.values()
        for spec in entity_type.unique_properties
    }


@dataclass(frozen=True)
class DefinitionBatch:
    """Changes to apply together, in order (one change is a batch of one)."""

    changes: tuple[DefinitionChange, ...]

    @classmethod
    def of(cls, changes: Sequence[DefinitionChange] | DefinitionChange) -> DefinitionBatch:
        return cls((changes,) if isinstance(changes, DefinitionChange) else tuple(changes))

    @property
    def may_add_unique(self) -> bool:
        """Whether the batch may make a new entity type or unique property (a backend that
        cannot create constraints inside a data transaction prepares them first)."""
        return any(change.may_add_unique for change in self.changes)

    def populations(self, registry: Registry) -> list[Population]:
        """The stored populations the batch's rules need counted: those of the types in
        ``registry`` it alters or drops (a type it defines itself holds nothing yet)."""
        found: list[Population] = []
        for change in self.changes:
            try:
                counted = change.counted(registry)
            except GraphCrmError:
                continue  # new in this batch, or refused by evolve
            if counted is not None and counted not in found:
                found.append(counted)
        return found

    def evolve(self, registry: Registry, populated: Collection[Population]) -> Evolution:
        """The batch applied to ``registry`` (``populated``: which of :meth:`populations`
        hold data); raises every refusal, located, if it refuses any change."""
        current = replace(registry, validators=())
        steps: list[Step] = []
        issues: list[Issue] = []
        first: GraphCrmError | None = None
        for change in self.changes:
            try:
                counted = change.counted(current)
                step = change.evolve(current, counted is not None and counted in populated)
            except GraphCrmError as error:
                if not change.where:
                    raise  # a change made alone is refused as its rule says
                first = first or error
                issues.extend(change.refusal(error))
                continue
            if step.change.before != step.change.after or step.backfill is not None:
                steps.append(step)  # an alter to what is already there is no change
            current = step.registry
        if first is not None:
            raise_issues(type(first), issues[:MAX_BATCH_ISSUES])
        if not steps:
            return Evolution(registry, registry, ())  # nothing to store: no version, no audit
        version = registry.version + 1
        result = replace(current, version=version, validators=registry.validators)
        changes = tuple(
            replace(step.change, version=version, step=index) for index, step in enumerate(steps)
        )
        self._validate(result, changes)
        backfills = tuple(step.backfill for step in steps if step.backfill is not None)
        return Evolution(registry, result, changes, backfills)

    def _validate(self, registry: Registry, changes: Sequence[RegistryChange]) -> None:
        """The registry's validators judge the registry the batch makes, once per change."""
        for change, recorded in zip(self.changes, changes, strict=True):
            for validate in registry.validators:
                try:
                    validate(registry, recorded)
                except GraphCrmError as error:
                    if not change.where:
                        raise
                    raise_issues(_reraisable(error), change.refusal(error))


def _reraisable(error: GraphCrmError) -> type[GraphCrmError]:
    """The error's class, or its nearest base built as GraphCrmError is: a subclass with
    a constructor of its own (a FormulaProblem takes a character position, not issues)
    is raised again as that base, with the same code."""
    for kind in type(error).__mro__:
        if issubclass(kind, GraphCrmError) and kind.__init__ is GraphCrmError.__init__:
            return kind
    return GraphCrmError
