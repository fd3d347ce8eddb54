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
from graph_crm.impact.policy_spec import policy_json
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
    """The registry with a new policy at revision 1, checked against it (both stores call
    this). A policy dropped and defined again starts again at 1: a new policy."""
    policy = compile_policy(registry, raw, version=registry.version + 1)
    stored = {REVISION: 1, **policy.definition}
    return registry.define_policy(policy.name, stored, actor=actor, at=at)


def alter_policy(
    registry: Registry, raw: Any, actor: str, *, at: datetime
) -> tuple[Registry, RegistryChange]:
    """The registry with policy ``raw["name"]`` replaced by ``raw``, checked against it; its
    revision goes up by one if the policy changed (an alter that changes nothing keeps it)."""
    policy = compile_policy(registry, raw, version=registry.version + 1)
    old = registry.policy(policy.name)
    revision = policy_revision(old)
    if policy_json(old) != policy.definition:  # both in today's normal form
        revision += 1
    stored = {REVISION: revision, **policy.definition}
    return registry.alter_policy(policy.name, stored, actor=actor, at=at)


#: Where a stored policy keeps its revision (the registry's version is another number:
#: it counts every change to every type and policy).
REVISION: Final = "revision"


def policy_revision(definition: dict[str, Any]) -> int:
    """A stored policy's revision (1 for one stored before policies had revisions)."""
    revision = definition.get(REVISION)
    return revision if isinstance(revision, int) and revision >= 1 else 1
