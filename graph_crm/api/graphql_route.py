"""The ``/graphql`` route: its middleware, outermost first, then the endpoint.

Each step refuses what it can before the next one costs more (issue 11's order):

1. :class:`~graph_crm.api.graphiql.GraphiQLPage`: the GraphiQL page, or 405 to a
   method other than GET and POST, before any key is asked for;
2. Starlette's ``AuthenticationMiddleware`` with
   :class:`~graph_crm.api.authentication.BearerAuthentication`: who is calling, failed
   attempts throttled per client address;
3. :class:`~graph_crm.api.rate_limit.RateLimit`: the key's requests a minute;
4. :class:`~graph_crm.api.request_body.StrictBody`: a POST's body, within the role's size
   and the body timeout;
5. :class:`~graph_crm.api.endpoint.GraphQLEndpoint`: GraphQL only (the operation chosen,
   measured, checked against the role, run on budget).

Subscriptions come over WebSocket to the same path (:func:`graphql_socket_route`,
:mod:`graph_crm.api.graphql_socket`): the same key check and throttle, the same rate
buckets, operation choice, limits and role checks, applied per message.

``/healthz`` is another route, so none of this runs for it: it stays cheap and open.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import Route, WebSocketRoute

from graph_crm.api.auth_throttle import AuthFailureThrottle
from graph_crm.api.authentication import bearer_authentication
from graph_crm.api.endpoint import GraphQLEndpoint
from graph_crm.api.graphiql import GraphiQLPage
from graph_crm.api.graphql_socket import GraphQLSocket
from graph_crm.api.jwt_auth import JwtVerifier
from graph_crm.api.operation_policy import OperationPolicy
from graph_crm.api.rate_limit import RateLimit
from graph_crm.api.request_body import StrictBody
from graph_crm.api.role_limits import RateLimiter
from graph_crm.api.socket_operation import SocketSettings
from graph_crm.api.verified_keys import VerifiedKeys
from graph_crm.settings import Settings


def graphql_route(
    settings: Settings,
    *,
    rate_limiter: RateLimiter,
    auth_failures: AuthFailureThrottle,
    jwt: JwtVerifier | None,
    verified_keys: VerifiedKeys,
) -> Route:
    """``/graphql`` over GET and POST, behind its middleware (a key verified before let
    in unconfirmed: :mod:`graph_crm.api.verified_keys`)."""
    return Route(
        "/graphql",
        GraphQLEndpoint(OperationPolicy(settings)),
        methods=["GET", "POST"],
        middleware=[
            Middleware(GraphiQLPage),
            bearer_authentication(jwt=jwt, failures=auth_failures, keys=verified_keys),
            Middleware(RateLimit, limiter=rate_limiter),
            Middleware(StrictBody, body_timeout=settings.body_timeout),
        ],
    )


def graphql_socket_route(
    settings: Settings,
    *,
    rate_limiter: RateLimiter,
    auth_failures: AuthFailureThrottle,
    jwt: JwtVerifier | None,
) -> WebSocketRoute:
    """``/graphql`` over WebSocket (``graphql-transport-ws``): subscriptions."""
    return WebSocketRoute(
        "/graphql",
        GraphQLSocket(
            SocketSettings(
                OperationPolicy(settings),
                limiter=rate_limiter,
                failures=auth_failures,
                jwt=jwt,
            )
        ),
    )
