"""Impact policies held in the registry: defined, altered, read back, and kept valid (pure).

The registry stores a policy as checked JSON and never imports this package: a store
hands it :data:`REGISTRY_VALIDATORS` (see ``Registry.validators``), so a type change
that would break a stored policy is refused, naming the policy and the entry it breaks.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from graph_crm.errors import GraphCrmError, IncompatibleChange
from graph_crm.impact.policy import Policy, compile_policy
from graph_crm.model.registry import IMPACT_POLICY, Registry, RegistryChange, RegistryValidator


def stored_policy(registry: Registry, name: str) -> Policy:
    """The registry's policy ``name``, compiled against that registry."""
    return compile_policy(registry, registry.policy(name))


def check_policies(registry: Registry) -> None:
    """Refuse a type change that would break a stored policy (it names which and why)."""
    for name, definition in sorted(registry.policies.items()):
        try:
            compile_policy(registry, definition)
        except GraphCrmError as error:
            where = "/".join(str(part) for part in error.path)
            raise IncompatibleChange(
                f"impact policy {name!r} uses it ({where or 'policy'}: {error.message}); "
                "alter or drop the policy first",
                path=("policies", name, *error.path),
            ) from None


def check_stored_policies(registry: Registry, change: RegistryChange) -> None:
    """A :data:`~graph_crm.model.registry.RegistryValidator`: a type change must not break a
    stored policy (a policy change was compiled against the registry before it was made)."""
    if registry.policies and change.kind.definition_kind != IMPACT_POLICY:
        check_policies(registry)


#: The validators a store hands every registry it builds (see ``Registry.validators``).
REGISTRY_VALIDATORS: Final[Sequence[RegistryValidator]] = (check_stored_policies,)


def define_policy(
    registry: Registry, raw: Any, actor: str, *, at: datetime
) -> tuple[Registry, RegistryChange]:
    """The registry with a new policy, checked against it (both stores call this)."""
    policy = compile_policy(registry, raw, version=registry.version + 1)
    return registry.define_policy(policy.name, policy.definition, actor=actor, at=at)


def alter_policy(
    registry: Registry, raw: Any, actor: str, *, at: datetime
) -> tuple[Registry, RegistryChange]:
    """The registry with policy ``raw["name"]`` replaced by ``raw``, checked against it."""
    policy = compile_policy(registry, raw, version=registry.version + 1)
    return registry.alter_policy(policy.name, policy.definition, actor=actor, at=at)
