"""``create_app(settings)``: the Starlette app, whose lifespan owns the store."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from graph_crm.api.auth_throttle import AuthFailureThrottle
from graph_crm.api.background import running
from graph_crm.api.events_route import events_route
from graph_crm.api.graphql_route import graphql_route, graphql_socket_route
from graph_crm.api.incident_feed_hub import IncidentFeedHub
from graph_crm.api.jwt_auth import JwtVerifier
from graph_crm.api.live import LiveSchema
from graph_crm.api.metrics import ApiMetrics
from graph_crm.api.metrics_http import RequestMetrics, metrics_route
from graph_crm.api.operation_policy import OperationPolicy
from graph_crm.api.refusal import error_response
from graph_crm.api.request_log import RequestLog, configure_access_log
from graph_crm.api.role_limits import RateLimiter
from graph_crm.api.schema import core_schema
from graph_crm.api.shared_buckets import open_rate_limiter
from graph_crm.api.verified_keys import VerifiedKeys
from graph_crm.api.webhook_sender import webhook_worker
from graph_crm.auth.roles import Role
from graph_crm.errors import GraphCrmError
from graph_crm.services.events import ProcessorSettings, new_worker_id, run_processor
from graph_crm.settings import Settings
from graph_crm.store import GraphStore, open_store
from graph_crm.store.budget import work_budget
from graph_crm.tracing import enable_tracing
from graph_crm.web.routes import web_routes

logger = logging.getLogger("graph_crm.api")


async def healthz(request: Request) -> Response:
    """200 when the store answers; 503 with the reason when it does not."""
    store: GraphStore = request.app.state.store
    try:
        await store.ping()
        registry = await store.registry()
    except GraphCrmError as error:
        return JSONResponse(
            {"status": "unavailable", "backend": store.backend, "error": error_body(error)},
            status_code=503,
        )
    except Exception:
        logger.exception("health check failed")
        return JSONResponse(
            {
                "status": "unavailable",
                "backend": store.backend,
                "error": {"code": "UNAVAILABLE", "message": "the store did not answer"},
            },
            status_code=503,
        )
    return JSONResponse(
        {"status": "ok", "backend": store.backend, "registryVersion": registry.version}
    )


@contextlib.asynccontextmanager
async def event_processor(
    store: GraphStore,
    settings: Settings,
    wake: asyncio.Event | None = None,
    on_processed: Callable[[], None] | None = None,
) -> AsyncIterator[None]:
    """This process's worker of stored events (services/events.py) while the app runs;
    stopped, and its event left to its lease, when the app stops. ``wake``: set by
    ``POST /events`` when it stores a new event, so it is processed at once, not at the
    next poll; ``on_processed``: called after each event it processed (the subscriptions'
    feed reader is woken, so subscribers are told at once)."""
    if not settings.event_processing:
        yield
        return
    worker = ProcessorSettings(
        owner=new_worker_id(),
        lease_seconds=settings.event_lease_seconds,
        poll_seconds=settings.event_poll_seconds,
        hold_seconds=settings.event_hold_seconds,
    )
    # each store call of an event's processing is held to the risk role's budgets, as a
    # reportDisruption is (the task copies the context as it is made)
    with work_budget(OperationPolicy(settings).budget(Role.RISK)):
        processing = running(lambda stop: run_processor(store, worker, stop, wake, on_processed))
    async with processing:
        yield


def error_body(error: GraphCrmError) -> dict[str, str]:
    return {"code": error.code, "message": error.message}


async def http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(status, "HTTP_ERROR")
    detail = exc.detail if isinstance(exc, HTTPException) else "error"
    return error_response(status, code, f"{request.method} {request.url.path}: {detail}")


async def server_error(request: Request, exc: Exception) -> Response:
    # Starlette re-raises the exception after this response, so the server logs it;
    # the client learns nothing about internals.
    return error_response(500, "INTERNAL", "internal server error")


def create_app(
    settings: Settings,
    *,
    store: GraphStore | None = None,
    rate_limiter: RateLimiter | None = None,
    auth_failures: AuthFailureThrottle | None = None,
) -> Starlette:
    """The API over the store ``settings`` name (opened and closed by the lifespan).

    ``store``: an already open store to serve instead; its owner closes it.
    ``rate_limiter``: the requests-a-minute buckets (default: :func:`open_rate_limiter`).
    ``auth_failures``: failed authentications per address (default: a new throttle).
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if store is not None:
            try:
                yield
            finally:
                await app.state.feed_hub.stop()
            return
        opened = await open_store(settings)
        app.state.store = opened
        try:
            async with (
                event_processor(opened, settings, app.state.event_wake, app.state.feed_hub.wake),
                webhook_worker(opened, settings),
            ):
                yield
        finally:
            await app.state.feed_hub.stop()
            await opened.close()

    # one throttle of failed authentications for every route that takes a key
    # (`is None`, not `or`: an empty throttle has len() 0, so it is falsy)
    auth_failures = AuthFailureThrottle() if auth_failures is None else auth_failures
    jwt = JwtVerifier.from_settings(settings)
    # shared by the workers of one `graph-crm serve --workers N` (GRAPH_CRM_RUN_DIR)
    rate_limiter = open_rate_limiter() if rate_limiter is None else rate_limiter
    # keys this process verified: a compiled query checks its key in its own statement
    verified_keys = VerifiedKeys()
    app = Starlette(
        routes=[
            graphql_route(
                settings,
                rate_limiter=rate_limiter,
                auth_failures=auth_failures,
                jwt=jwt,
                verified_keys=verified_keys,
            ),
            # subscriptions (graphql-transport-ws): the same keys, buckets and checks
            graphql_socket_route(
                settings, rate_limiter=rate_limiter, auth_failures=auth_failures, jwt=jwt
            ),
            Route("/healthz", healthz, methods=["GET"]),
            # signed events from integrations: their own authentication (a signature)
            events_route(settings, auth_failures=auth_failures),
            metrics_route(settings, auth_failures=auth_failures, jwt=jwt),
            # the console, GraphiQL and their files (graph_crm/web): clients of /graphql
            *web_routes(),
        ],
        exception_handlers={HTTPException: http_error, Exception: server_error},
        middleware=[Middleware(RequestLog), Middleware(RequestMetrics)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.verified_keys = verified_keys
    #: Set when this process accepts an event: its processor claims it at once.
    app.state.event_wake = asyncio.Event()
    if settings.tracing:
        enable_tracing()
    app.state.metrics = ApiMetrics(lambda: getattr(app.state, "store", None))
    app.state.live_schema = LiveSchema(core_schema(), on_build=app.state.metrics.schema_built)
    # this process's reader of the incidents' change feed, for its subscribers; its
    # store calls are held to the risk role's budgets, as the subscriptions are
    app.state.feed_hub = IncidentFeedHub(
        lambda: app.state.store, OperationPolicy(settings).budget(Role.RISK)
    )
    if store is not None:
        app.state.store = store
    return app


def app_from_env() -> Starlette:
    """The app over the store ``GRAPH_CRM_*`` names (a factory for uvicorn's workers)."""
    configure_access_log()
    return create_app(Settings.from_env())
