"""The registry validator that keeps computed properties valid (pure; not yet handed to
the stores: definitions do not hold computed properties yet).

Given where a registry's computed properties come from, it re-checks them all on every
change, as :mod:`graph_crm.impact.policy_registry` does for policies: a change to one
type that breaks another type's formula or rollup is refused, naming that property.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from graph_crm.errors import GraphCrmError, IncompatibleChange
from graph_crm.model.formula.computed import Definition, check_computed
from graph_crm.model.registry import ChangeKind, Registry, RegistryChange, RegistryValidator

#: A registry's computed properties: entity type -> property -> (formula or rollup, path).
DefinitionsOf = Callable[[Registry], Mapping[str, Mapping[str, Definition]]]

_OWN_DEFINITION = frozenset({ChangeKind.DEFINE_ENTITY_TYPE, ChangeKind.ALTER_ENTITY_TYPE})


def computed_validator(definitions_of: DefinitionsOf) -> RegistryValidator:
    """A :data:`~graph_crm.model.registry.RegistryValidator` over ``definitions_of``'s
    computed properties. A problem in the type being defined or altered is its own
    (raised as found); one in another type's property refuses the change, naming it."""

    def validate(registry: Registry, change: RegistryChange) -> None:
        definitions = definitions_of(registry)
        if not any(definitions.values()):
            return
        try:
            check_computed(registry, definitions)
        except GraphCrmError as error:
            owner, name = _culprit(definitions, error) or (change.name, "?")
            if owner == change.name and change.kind in _OWN_DEFINITION:
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
