"""``GET /metrics`` and the middleware that counts requests (series: api/metrics.py).

``/metrics`` is protected like the rest of the API, on the same port: an **admin** key
(or an admin JWT), or the scrape-only ``GRAPH_CRM_METRICS_TOKEN``. A wrong credential
counts as a failed authentication (throttled per client address, as on ``/graphql``);
another role's key is refused 403. A scrape takes nothing from the key's GraphQL rate,
so a scraper using an operator's key never locks that operator out. One port also
means ``--workers N`` needs nothing more: any worker answers for all of them.
"""

from __future__ import annotations

import hmac
import time

from prometheus_client.exposition import choose_encoder
from starlette.authentication import AuthCredentials, BaseUser, SimpleUser
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_crm.api.auth_throttle import AuthFailureThrottle
from graph_crm.api.authentication import BearerAuthentication, authentication_refused
from graph_crm.api.jwt_auth import JwtVerifier
from graph_crm.api.metrics import ApiMetrics
from graph_crm.api.refusal import refuse
from graph_crm.api.request_log import note, request_notes
from graph_crm.auth.keys import Forbidden
from graph_crm.auth.roles import Role
from graph_crm.settings import Settings
from graph_crm.store.call_observer import observing
from graph_crm.tracing import span

GRAPHQL_PATH = "/graphql"
_ROUTES = frozenset({GRAPHQL_PATH, "/healthz", "/metrics"})
#: The scope the metrics token grants: reading /metrics, nothing else.
SCRAPE = "metrics"


def metrics_route(
    settings: Settings, *, auth_failures: AuthFailureThrottle, jwt: JwtVerifier | None
) -> Route:
    """``GET /metrics`` behind the same authentication as ``/graphql`` (one throttle of
    failed attempts for both), and no rate limit."""
    backend = ScrapeAuthentication(
        token=settings.metrics_token.get_secret_value(), jwt=jwt, failures=auth_failures
    )
    return Route(
        "/metrics",
        metrics_endpoint,
        methods=["GET"],
        middleware=[
            Middleware(AuthenticationMiddleware, backend=backend, on_error=authentication_refused)
        ],
    )


class ScrapeAuthentication(BearerAuthentication):
    """:class:`BearerAuthentication`, and the scrape-only token: checked inside the same
    throttle, so an address that keeps failing learns nothing more, whatever it guesses."""

    def __init__(
        self, *, token: str, jwt: JwtVerifier | None, failures: AuthFailureThrottle
    ) -> None:
        super().__init__(jwt=jwt, failures=failures)
        self.token = token

    async def identify(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        scheme, _, sent = conn.headers.get("authorization", "").partition(" ")
        if (
            self.token
            and scheme.lower() == "bearer"
            and hmac.compare_digest(sent.strip().encode(), self.token.encode())
        ):
            note(conn, key="metrics-token", role=SCRAPE)
            return AuthCredentials([SCRAPE]), SimpleUser("metrics-token")
        return await super().identify(conn)


async def metrics_endpoint(request: Request) -> Response:
    """The series in Prometheus' text format (OpenMetrics when the scraper asks)."""
    if not {SCRAPE, Role.ADMIN.value} & set(request.auth.scopes):
        return refuse(
            request,
            403,
            Forbidden.code,
            f"/metrics needs an admin key or the metrics token; this key's role is "
            f"{request.auth.scopes[0] if request.auth.scopes else 'none'}",
        )
    metrics: ApiMetrics = request.app.state.metrics
    encoder, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encoder(metrics.scrape_registry()), headers={"Content-Type": content_type})


class RequestMetrics:
    """ASGI middleware: observes the store calls of each request, counts and times its
    GraphQL requests from what the endpoint noted (api/request_log.py), and opens the
    request's tracing span. Sits inside :class:`~graph_crm.api.request_log.RequestLog`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        metrics: ApiMetrics = scope["app"].state.metrics
        path = scope.get("path", "")
        method = scope.get("method", "")
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        route = path if path in _ROUTES else "(unmatched)"
        with (
            observing(metrics),
            span(
                f"{method} {route}", **{"http.request.method": method, "http.route": route}
            ) as current,
        ):
            try:
                await self.app(scope, receive, sending)
            finally:
                notes = request_notes(scope)
                status = int(notes.get("status", status))
                if current is not None:
                    current.set_attribute("http.response.status_code", status)
                    if notes.get("operation"):
                        current.set_attribute("graphql.operation.name", notes["operation"])
                if path == GRAPHQL_PATH:
                    metrics.request(
                        kind=notes.get("kind"),
                        operation=notes.get("operation"),
                        role=notes.get("role"),
                        status=status,
                        code=notes.get("code"),
                        seconds=time.perf_counter() - started,
                    )
