"""Computed properties as entity type definitions hold them, checked for storing their
values (pure).

A property with ``computed`` is materialized: the store computes its value from the
entity's own properties on every write, in the write's transaction, and keeps it like a
stored value (docs/formulas.md). So a stored formula must have a value of its own: one
that uses ``now()``, ``$asOf`` or ``$delayDays`` is refused (an impact policy's
conditions use ``$asOf``); its kind must be the property's declared kind. Rollups are
stored too, kept current by the store on every write that can change them
(:mod:`.stored_rollup` says what one may use).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from graph_crm.errors import InvalidInput, Issue, PathPart, raise_issues
from graph_crm.model.formula.computed import Definition, check_computed
from graph_crm.model.formula.evaluate import evaluate_formula
from graph_crm.model.formula.formula import Formula
from graph_crm.model.formula.guard import computed_validator
from graph_crm.model.formula.problems import EvaluationFailed
from graph_crm.model.formula.rollup import Rollup
from graph_crm.model.formula.stored_rollup import (
    StoredRollup,
    check_stored_rollup,
    path_types,
    refuse_parameters,
)
from graph_crm.model.registry import Registry, RegistryValidator
from graph_crm.model.types import EntityType

#: A type's materialized formulas, by property name, in an order where a formula comes
#: after the computed properties it reads.
Formulas = dict[str, Formula]


@dataclass(frozen=True)
class Materialized:
    """A registry's stored computed properties: each type's formulas worked out when its
    entities are written, every rollup, and each type's formulas that read a rollup (so
    worked out after its rollups, by the store's rollup step)."""

    formulas: dict[str, Formulas] = field(default_factory=dict)
    rollups: tuple[StoredRollup, ...] = ()
    late: dict[str, Formulas] = field(default_factory=dict)


#: What the last few registries seen store (a registry is immutable, and the live one is
#: asked on every write).
_RECENT: list[tuple[Registry, Materialized]] = []
_RECENT_SIZE: Final = 4


def stored_definitions(registry: Registry) -> dict[str, dict[str, Definition]]:
    """Each entity type's computed properties: name -> (formula or rollup, path), the path
    being ``(type, "properties", index, "computed")``."""
    return {
        entity_type.name: {
            spec.name: (spec.computed, (entity_type.name, "properties", index, "computed"))
            for index, spec in enumerate(entity_type.properties)
            if spec.computed is not None
        }
        for entity_type in registry.entity_types.values()
        if any(spec.computed is not None for spec in entity_type.properties)
    }


def check_materialized(
    registry: Registry, definitions: Mapping[str, Mapping[str, Definition]]
) -> Materialized:
    """Type every computed property (:func:`check_computed`) and refuse what cannot be
    stored: formulas without a value of their own, a kind other than the declared one,
    and what :func:`.stored_rollup.check_stored_rollup` refuses."""
    checked = check_computed(registry, definitions)
    rollup_names = {
        owner: {name for name, (raw, _) in properties.items() if not isinstance(raw, str)}
        for owner, properties in definitions.items()
    }
    formulas: dict[str, Formulas] = {}
    late: dict[str, Formulas] = {}
    rollups: list[StoredRollup] = []
    # in dependency order: what a property reads is placed before it
    for (owner, name), item in checked.items():
        _, path = definitions[owner][name]
        declared = registry.entity_type(owner).spec(name)
        if declared is not None and declared.kind is not item.kind:
            what = "formula" if isinstance(item, Formula) else "rollup"
            raise InvalidInput(
                f"this {what} gives {item.kind}, but {name!r} is declared {declared.kind}",
                path=path,
            )
        if isinstance(item, Rollup):
            after = {t: rollup_names.get(t, set()) | set(late.get(t, {})) for t in definitions}
            check_stored_rollup(item, path, after)
            rollups.append(StoredRollup(name, item, path_types(item, _middle(registry, item))))
            continue
        _check_stored_formula(item, path)
        if item.references & (rollup_names.get(owner, set()) | set(late.get(owner, {}))):
            late.setdefault(owner, {})[name] = item
        else:
            formulas.setdefault(owner, {})[name] = item
    return Materialized(formulas, tuple(rollups), late)


def _middle(registry: Registry, rollup: Rollup) -> str | None:
    if len(rollup.hops) < 2:
        return None
    hop = rollup.hops[0]
    relation = registry.relation_type(hop.relation)
    return relation.to_type if hop.direction.value == "OUT" else relation.from_type


def _check_stored_formula(item: Formula, path: tuple[PathPart, ...]) -> None:
    times = sorted(item.references & _WRITE_TIMES)
    if times:
        raise InvalidInput(
            f"a stored computed property cannot read {', '.join(times)} yet: its value "
            "would need the time of the write that stores it",
            path=path,
        )
    refuse_parameters(item, "a computed property is stored, so it", path)


def materialized(registry: Registry) -> Materialized:
    """What ``registry`` stores (cached per registry, which is immutable)."""
    for seen, found in _RECENT:
        if seen is registry:
            return found
    if not any(computed_names(t) for t in registry.entity_types.values()):
        found = Materialized()
    else:
        found = check_materialized(registry, stored_definitions(registry))
    _RECENT.insert(0, (registry, found))
    del _RECENT[_RECENT_SIZE:]
    return found


def materialized_formulas(registry: Registry, type_name: str) -> Formulas:
    """The checked formulas of ``type_name`` (cached per registry, which is immutable)."""
    entity_type = registry.entity_types.get(type_name)
    if entity_type is None or not computed_names(entity_type):
        return {}  # most types: nothing to check, whatever the others hold
    return materialized(registry).formulas.get(type_name, {})


def materialized_rollups(registry: Registry) -> tuple[StoredRollup, ...]:
    """Every rollup ``registry`` stores."""
    return materialized(registry).rollups


def late_formulas(registry: Registry, type_name: str) -> Formulas:
    """``type_name``'s formulas that read a rollup, in order (worked out after it)."""
    return materialized(registry).late.get(type_name, {})


def rollup_names(registry: Registry, type_name: str) -> frozenset[str]:
    """The names of ``type_name``'s stored rollups and of the formulas that read them:
    the values the rollup step stores, never part of a write's record or revision."""
    rollups = {r.name for r in materialized_rollups(registry) if r.owner == type_name}
    return frozenset(rollups | set(late_formulas(registry, type_name)))


def with_computed(
    formulas: Formulas,
    properties: Mapping[str, Any],
    path: tuple[PathPart, ...] = (),
    key: str | None = None,
) -> dict[str, Any]:
    """``properties`` (canonical, no nulls) with every formula's value set, or left out
    when it is null; ``key`` is the entity's, for formulas that read it. A value that
    cannot be computed fails at ``(*path, name)``.

    >>> from graph_crm.model.formula.formula import compile_formula
    >>> from graph_crm.model.types import PropertyKind
    >>> total = compile_formula("price * quantity", {"price": PropertyKind.FLOAT,
    ...     "quantity": PropertyKind.INT}, "Line")
    >>> with_computed({"total": total}, {"price": 2.5, "quantity": 4, "total": 1.0})
    {'price': 2.5, 'quantity': 4, 'total': 10.0}
    >>> with_computed({"total": total}, {"price": 2.5, "total": 1.0})
    {'price': 2.5}
    """
    values = {name: value for name, value in properties.items() if name not in formulas}
    readable = {**values, "key": key}
    for name, formula in formulas.items():
        try:
            value = evaluate_formula(formula, readable)
        except EvaluationFailed as failure:
            raise EvaluationFailed(f"{name}: {failure.message}", path=(*path, name)) from None
        if value is not None:
            values[name] = readable[name] = value
    return values


def computed_names(entity_type: EntityType) -> frozenset[str]:
    """The names of ``entity_type``'s computed properties."""
    return frozenset(spec.name for spec in entity_type.properties if spec.computed is not None)


def materialize_all(
    formulas: Formulas, rows: list[tuple[str, dict[str, Any]]], path: tuple[PathPart, ...]
) -> list[dict[str, Any]]:
    """:func:`with_computed` of each ``(key, properties)`` row; every failure reported,
    each at ``(*path, row index, property)``."""
    issues: list[Issue] = []
    out: list[dict[str, Any]] = []
    for index, (key, properties) in enumerate(rows):
        try:
            out.append(with_computed(formulas, properties, (*path, index), key))
        except EvaluationFailed as failure:
            issues.extend(failure.issues)
    if issues:
        raise_issues(EvaluationFailed, issues[:MAX_REPORTED])
    return out


MAX_REPORTED: Final = 50
_WRITE_TIMES: Final = frozenset({"createdAt", "updatedAt"})

#: The validator stores hand the registry (next to impact policies'): a change that breaks
#: a stored formula is refused, naming it.
COMPUTED_VALIDATOR: Final[RegistryValidator] = computed_validator(
    stored_definitions, check=check_materialized
)

__all__ = [
    "COMPUTED_VALIDATOR",
    "Formulas",
    "Materialized",
    "StoredRollup",
    "check_materialized",
    "computed_names",
    "materialize_all",
    "materialized",
    "materialized_formulas",
    "late_formulas",
    "materialized_rollups",
    "rollup_names",
    "stored_definitions",
    "with_computed",
]
