"""Roles, mapped to the people who use the product, and what each may do.

Every GraphQL root field needs one :class:`Permission`; a role grants a set of them.
An ``admin`` manages keys, and since whoever makes keys could make any key, it may
do everything the other roles may.

>>> Role.RISK.allows(Permission.IMPACT), Role.ANALYST.allows(Permission.IMPACT)
(True, False)
>>> parse_role("config_officer")
<Role.CONFIG_OFFICER: 'config_officer'>
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from graph_crm.errors import InvalidInput


class Permission(StrEnum):
    READ = "read"  # the registry, entities, relations, traversals, policies
    IMPACT = "impact"  # impact reports and what-ifs
    DEFINE = "define"  # entity types, relation types, impact policies
    WRITE = "write"  # upsert, link, unlink, delete data
    ADMIN = "admin"  # API keys, the audit trail


class Role(StrEnum):
    ANALYST = "analyst"
    RISK = "risk"
    CONFIG_OFFICER = "config_officer"
    INTEGRATION = "integration"
    ADMIN = "admin"

    @property
    def permissions(self) -> frozenset[Permission]:
        return GRANTS[self]

    def allows(self, permission: Permission) -> bool:
        return permission in GRANTS[self]


GRANTS: Final[dict[Role, frozenset[Permission]]] = {
    Role.ANALYST: frozenset({Permission.READ}),
    Role.RISK: frozenset({Permission.READ, Permission.IMPACT}),
    Role.CONFIG_OFFICER: frozenset({Permission.READ, Permission.DEFINE}),
    Role.INTEGRATION: frozenset({Permission.READ, Permission.WRITE}),
    Role.ADMIN: frozenset(Permission),
}

#: The role each permission is the job of, for error messages.
JOB: Final = {
    Permission.READ: Role.ANALYST,
    Permission.IMPACT: Role.RISK,
    Permission.DEFINE: Role.CONFIG_OFFICER,
    Permission.WRITE: Role.INTEGRATION,
    Permission.ADMIN: Role.ADMIN,
}


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise InvalidInput(
            f"unknown role {text[:40]!r}; one of: {', '.join(role.value for role in Role)}",
            path=("role",),
        ) from None
