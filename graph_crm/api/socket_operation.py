"""What a ``subscribe`` over WebSocket goes through before it runs: the checks of an HTTP
request (:mod:`graph_crm.api.endpoint`), with the same functions, in the same order.

The key's rate (one request of its bucket); the operation chosen once and measured
(:func:`~graph_crm.api.operation.select_operation`); only a subscription; the request
bounds and the role's depth; the introspection switch; the role's permission (a refusal
audited); the variables and the cost estimate, by the schema of the registry's current
version. Strawberry's subscribe runs the schema's extensions but does not stop at the
result the cost extension sets, so the estimate is checked here too.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, OperationType
from graphql.execution.values import get_variable_values
from starlette.requests import HTTPConnection

from graph_crm.api.access import check_access
from graph_crm.api.auth_throttle import AuthFailureThrottle
from graph_crm.api.context import ApiContext
from graph_crm.api.cost import cost_refusal
from graph_crm.api.jwt_auth import JwtVerifier
from graph_crm.api.limits import check_shape
from graph_crm.api.live import LiveSchema
from graph_crm.api.loaders import Loaders
from graph_crm.api.operation import BadOperation, Operation, select_operation
from graph_crm.api.operation_policy import OperationPolicy
from graph_crm.api.principal import Principal
from graph_crm.api.request_log import note, request_notes
from graph_crm.api.role_limits import ROLE_LIMITS, RateLimited, RateLimiter
from graph_crm.api.strawberry_schema import graphql_schema
from graph_crm.errors import StoreUnavailable
from graph_crm.store.uncut import uncut


class SocketSettings:
    """What every connection of one app shares."""

    def __init__(
        self,
        policy: OperationPolicy,
        *,
        limiter: RateLimiter,
        failures: AuthFailureThrottle,
        jwt: JwtVerifier | None,
        recheck_seconds: float = 1.0,
    ) -> None:
        self.policy = policy
        self.limiter = limiter
        self.failures = failures
        self.jwt = jwt
        self.recheck_seconds = recheck_seconds


async def prepare_subscription(
    conn: HTTPConnection,
    settings: SocketSettings,
    principal: Principal,
    query: object,
    name: object,
    variables: object,
) -> ApiContext | list[GraphQLError]:
    """The context a ``subscribe`` runs with if every check passes, else the errors to
    answer it with (the connection stays)."""
    policy = settings.policy
    try:
        settings.limiter.take(principal.key_id, ROLE_LIMITS[principal.role].requests_per_minute)
    except RateLimited as error:
        return [refusal(error.code, error.message)]
    if not isinstance(query, str) or (name is not None and not isinstance(name, str)):
        return [refusal("BAD_REQUEST", "query must be a string, operationName a string or null")]
    if variables is not None and not isinstance(variables, dict):
        return [refusal("BAD_REQUEST", "variables must be an object or null")]
    try:
        chosen = select_operation(query, name)
    except BadOperation as error:
        return [refusal(error.code, error.message)]
    except GraphQLError as error:  # a syntax error
        return [error]
    # the connection's access log line names every field its subscriptions asked for
    asked = request_notes(conn.scope).get("fields", [])
    note(conn, operation=chosen.name, fields=sorted({*asked, *chosen.root_fields}))
    if chosen.kind is not OperationType.SUBSCRIPTION:
        return [
            refusal(
                "BAD_REQUEST",
                f"only subscriptions are served over WebSocket: send a {chosen.kind.value} "
                "with POST /graphql",
            )
        ]
    too_big = check_shape(chosen, policy.limits(principal.role).query_depth)
    if too_big is not None:
        return [too_big]
    store = conn.app.state.store
    refused = policy.introspection_refusal(principal, chosen)
    try:
        registry = await uncut(store.registry())
    except StoreUnavailable as error:
        return [refusal(error.code, error.message)]
    forbidden = [refused] if refused is not None else check_access(principal, chosen, registry)
    if forbidden:
        await policy.forbidden(conn, principal, chosen, forbidden)
        return forbidden
    live: LiveSchema = conn.app.state.live_schema
    context = ApiContext(
        store=store,
        request=conn,
        principal=principal,
        registry=registry,
        schema=await live.for_registry(registry),
        loaders=Loaders(store),
        operation=chosen,
        limits=policy.limits(principal.role),
    )
    # the schema's cost extension sets a result strawberry's subscribe does not
    # look at: the same estimate is checked here, before anything runs
    served = graphql_schema(context.schema)
    errors = validate_variables(served, chosen, variables)
    if errors:
        return errors
    too_costly = await cost_refusal(served, chosen.document, chosen.name, variables, context)
    return context if too_costly is None else [too_costly]


def validate_variables(
    schema: GraphQLSchema, chosen: Operation, variables: dict[str, Any] | None
) -> list[GraphQLError]:
    """The errors of ``variables`` against the operation's definitions (none: they
    coerce), so the cost is estimated from the values that will run."""
    definition = next(
        d for d in chosen.document.definitions if isinstance(d, OperationDefinitionNode)
    )
    coerced = get_variable_values(
        schema, definition.variable_definitions or (), dict(variables or {})
    )
    return coerced if isinstance(coerced, list) else []


def refusal(code: str, message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})
