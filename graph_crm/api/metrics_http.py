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
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_crm.api.access import authenticate
from graph_crm.api.endpoint import error_response
from graph_crm.api.metrics import ApiMetrics
from graph_crm.api.request_log import note, request_notes
from graph_crm.api.request_policy import RequestPolicy, client_address
from graph_crm.api.role_limits import RateLimited
from graph_crm.auth.keys import Forbidden, Unauthenticated
from graph_crm.auth.roles import Role
from graph_crm.errors import StoreUnavailable
from graph_crm.settings import Settings
from graph_crm.store.call_observer import observing
from graph_crm.tracing import span

GRAPHQL_PATH = "/graphql"
_ROUTES = frozenset({GRAPHQL_PATH, "/healthz", "/metrics"})


async def metrics_endpoint(request: Request) -> Response:
    """The series in Prometheus' text format (OpenMetrics when the scraper asks)."""
    refusal = await _scraper_refusal(request)
    if refusal is not None:
        return refusal
    metrics: ApiMetrics = request.app.state.metrics
    encoder, content_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encoder(metrics.scrape_registry()), headers={"Content-Type": content_type})


async def _scraper_refusal(request: Request) -> Response | None:
    policy: RequestPolicy = request.app.state.request_policy
    try:
        # The token is checked inside the throttle too: an address that keeps failing
        # learns nothing more, whatever it guesses.
        with policy.auth_failures.attempt(client_address(request)):
            if _is_metrics_token(request):
                note(request, key="metrics-token", role="metrics")
                return None
            principal = await authenticate(request, request.app.state.store, policy.jwt)
    except Unauthenticated as error:
        response = _refuse(request, 401, error.code, error.message)
        response.headers["WWW-Authenticate"] = 'Bearer realm="graph-crm"'
        return response
    except RateLimited as error:  # this address failed too often
        response = _refuse(request, 429, error.code, error.message)
        response.headers["Retry-After"] = str(max(1, round(error.retry_after)))
        return response
    except StoreUnavailable as error:
        return _refuse(request, 503, error.code, error.message)
    note(request, key=principal.key_id, role=principal.role.value)
    if principal.role is not Role.ADMIN:
        return _refuse(
            request,
            403,
            Forbidden.code,
            f"/metrics needs an admin key or the metrics token; this key's role is "
            f"{principal.role.value}",
        )
    return None


def _is_metrics_token(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    expected = settings.metrics_token.get_secret_value()
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (
        bool(expected)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(token.strip().encode(), expected.encode())
    )


def _refuse(request: Request, status: int, code: str, message: str) -> Response:
    note(request, code=code)
    return error_response(status, code, message)


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
