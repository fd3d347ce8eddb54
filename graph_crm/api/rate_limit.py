"""Each key within its role's requests a minute: middleware behind authentication, in
front of everything that reads the request (429 ``RATE_LIMITED`` with ``Retry-After``).

The buckets are a :class:`~graph_crm.api.role_limits.RateLimiter`; one ``graph-crm
serve --workers N`` shares them between its workers (:mod:`graph_crm.api.shared_buckets`).
"""

from __future__ import annotations

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from graph_crm.api.principal import principal_of
from graph_crm.api.refusal import refuse, retry_after
from graph_crm.api.role_limits import ROLE_LIMITS, RateLimited, RateLimiter


class RateLimit:
    """ASGI middleware taking one request from the caller's bucket, or refusing it."""

    def __init__(self, app: ASGIApp, *, limiter: RateLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        principal = principal_of(conn)
        try:
            self.limiter.take(principal.key_id, ROLE_LIMITS[principal.role].requests_per_minute)
        except RateLimited as error:
            response = refuse(conn, 429, error.code, error.message, retry_after(error))
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
