"""What a caller's role may make the operation it sends do, in one place: its limits,
its store budget, whether it may introspect, and the record of an operation refused.

Built once per app from the settings; the endpoint asks it at each step. Who is calling,
and their rate and body size, were settled before, by the route's middleware
(:mod:`graph_crm.api.graphql_route`).
"""

from __future__ import annotations

from typing import Final

from graphql import GraphQLError
from starlette.requests import HTTPConnection

from graph_crm.api.auth_throttle import client_address
from graph_crm.api.forbidden_audit import ForbiddenAttempt, ForbiddenAuditor
from graph_crm.api.operation import Operation
from graph_crm.api.principal import Principal
from graph_crm.api.role_limits import ROLE_LIMITS, RoleLimits
from graph_crm.auth.keys import Forbidden
from graph_crm.auth.roles import Role, parse_role
from graph_crm.settings import Settings
from graph_crm.store.budget import WorkBudget

#: Relation edges one traversal or relation filter may expand, per role: far above what
#: the demo's reports need (tens of thousands), far below what stalls a server.
EDGE_BUDGETS: Final[dict[Role, int]] = {
    Role.ANALYST: 1_000_000,
    Role.RISK: 5_000_000,
    Role.CONFIG_OFFICER: 1_000_000,
    Role.INTEGRATION: 1_000_000,
    Role.ADMIN: 5_000_000,
}
INTROSPECTION_FIELDS: Final = frozenset({"__schema", "__type"})


class OperationPolicy:
    def __init__(self, settings: Settings) -> None:
        self.forbidden_audit = ForbiddenAuditor()
        self._seconds = {
            Role.ANALYST: settings.budget_seconds_analyst,
            Role.RISK: settings.budget_seconds_risk,
            Role.CONFIG_OFFICER: settings.budget_seconds_config_officer,
            Role.INTEGRATION: settings.budget_seconds_integration,
            Role.ADMIN: settings.budget_seconds_admin,
        }
        self.introspection_off = frozenset(
            parse_role(name.strip())
            for name in settings.introspection_off.split(",")
            if name.strip()
        )

    def limits(self, role: Role) -> RoleLimits:
        return ROLE_LIMITS[role]

    def budget(self, role: Role) -> WorkBudget:
        """How long each store call may run for this role, and how many edges it expands."""
        return WorkBudget(seconds=self._seconds[role], edges=EDGE_BUDGETS[role])

    def introspection_refusal(
        self, principal: Principal, operation: Operation
    ) -> GraphQLError | None:
        asked = [f for f in operation.root_fields if f in INTROSPECTION_FIELDS]
        if not asked or principal.role not in self.introspection_off:
            return None
        return GraphQLError(
            f"introspection ({', '.join(asked)}) is turned off for the "
            f"{principal.role.value} role on this server",
            path=[asked[0]],
            extensions={"code": Forbidden.code, "path": [asked[0]], "role": principal.role.value},
        )

    async def forbidden(
        self,
        request: HTTPConnection,
        principal: Principal,
        operation: Operation,
        errors: list[GraphQLError],
    ) -> None:
        """A refused attempt: in the audit log (at most one record per key per interval,
        counting the ones it stands for), for whoever investigates later."""
        await self.forbidden_audit.refused(
            request.app.state.store,
            ForbiddenAttempt(
                actor=principal.actor,
                role=principal.role.value,
                key_id=principal.key_id,
                client=client_address(request),
                operation=operation.name,
                refused=[str(e.path[0]) for e in errors if e.path],
            ),
        )
