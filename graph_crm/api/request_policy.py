"""What each caller may do per request, in one place: who they are (throttled when they
fail to say), their rate, their limits, their store budget and introspection.

Built once per app from the settings; the endpoint asks it at each step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from graphql import GraphQLError
from starlette.requests import Request

from graph_crm.api.access import Principal, authenticate
from graph_crm.api.auth_throttle import AuthFailureThrottle
from graph_crm.api.forbidden_audit import ForbiddenAttempt, ForbiddenAuditor
from graph_crm.api.role_limits import ROLE_LIMITS, RateLimiter, RoleLimits
from graph_crm.auth.keys import Forbidden
from graph_crm.auth.roles import Role, parse_role
from graph_crm.settings import Settings
from graph_crm.store.budget import WorkBudget

if TYPE_CHECKING:
    from graph_crm.api.jwt_auth import JwtVerifier
    from graph_crm.api.operation import Operation

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


def client_address(request: Request) -> str:
    """The peer's address as the server saw it (no proxy headers are trusted)."""
    return request.client.host if request.client else "unknown"


class RequestPolicy:
    def __init__(
        self, settings: Settings, *, rate_limiter: RateLimiter, jwt: JwtVerifier | None
    ) -> None:
        self.rate_limiter = rate_limiter
        self.jwt = jwt
        self.auth_failures = AuthFailureThrottle()
        self.forbidden_audit = ForbiddenAuditor()
        self.body_timeout = settings.body_timeout
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

    async def admit(self, request: Request) -> Principal:
        """The authenticated caller, within their key's rate (or the refusal). An address
        that keeps failing is refused before its key is even looked up."""
        with self.auth_failures.attempt(client_address(request)):
            principal = await authenticate(request, request.app.state.store, self.jwt)
        self.rate_limiter.take(principal.key_id, self.limits(principal.role).requests_per_minute)
        return principal

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
        request: Request,
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
