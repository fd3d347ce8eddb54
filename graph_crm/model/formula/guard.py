"""The registry validator that keeps computed properties valid (pure; the stores hand it
the registry through :data:`graph_crm.model.formula.stored.COMPUTED_VALIDATOR`).

Given where a registry's computed properties come from, it re-checks them all on every
change, as :mod:`graph_crm.impact.policy_registry` does for policies: a change to one
type that breaks another type's formula or rollup is refused, naming that property.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graph_crm.errors import GraphCrmError, IncompatibleChange, Issue
from graph_crm.model.formula.computed import Definition, check_computed
from graph_crm.model.registry import ChangeKind, Registry, RegistryChange, RegistryValidator

#: A registry's computed properties: entity type -> property -> (formula or rollup, path).
DefinitionsOf = Callable[[Registry], Mapping[str, Mapping[str, Definition]]]
#: What checks them all (raising the first problem found).
Check = Callable[[Registry, Mapping[str, Mapping[str, Definition]]], Any]

_OWN_DEFINITION = frozenset({ChangeKind.DEFINE_ENTITY_TYPE, ChangeKind.ALTER_ENTITY_TYPE})


def computed_validator(
    definitions_of: DefinitionsOf, check: Check = check_computed
) -> RegistryValidator:
    """A :data:`~graph_crm.model.registry.RegistryValidator` over ``definitions_of``'s
    computed properties. A problem in the type being defined or altered is its own
    (raised as found, its path re-rooted at that definition when it starts with the
    type's name); one in another type's property refuses the change, naming it."""

    def validate(registry: Registry, change: RegistryChange) -> None:
        definitions = definitions_of(registry)
        if not any(definitions.values()):
            return
        try:
            check(registry, definitions)
        except GraphCrmError as error:
            owner, name = _culprit(definitions, error) or (change.name, "?")
            if owner == change.name and change.kind in _OWN_DEFINITION:
                if error.path[:1] == (owner,):
                    _reroot(error, len(error.path[:1]))
                raise
            where = "/".join(str(part) for part in error.path)
            raise IncompatibleChange(
                f"computed property {owner}.{name} uses it ({where or 'definition'}: "
                f"{error.message}); alter or drop that property first",
                path=error.path,
            ) from None

    return validate


def _culprit(
    definitions: Mapping[str, Mapping[str, Definition]], error: GraphCrmError
) -> tuple[str, str] | None:
    """The computed property whose definition ``error`` points into."""
    for owner, properties in definitions.items():
        for name, (_, path) in properties.items():
            if error.path[: len(path)] == path:
                return owner, name
    return None


def _reroot(error: GraphCrmError, drop: int) -> None:
    """Drop the first ``drop`` parts of ``error``'s paths (the type's own name)."""
    error.path = error.path[drop:]
    error.issues = tuple(
        Issue(issue.code, issue.message, issue.path[drop:]) for issue in error.issues
    )
