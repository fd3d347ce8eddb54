"""The app in process, served to an httpx client over ASGI, with a key of a role."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette

from graph_crm.api import create_app
from graph_crm.api.role_limits import RateLimiter
from graph_crm.auth.roles import Role
from graph_crm.services.api_keys import create_key
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore


async def bearer(store: GraphStore, role: Role = Role.ADMIN) -> dict[str, str]:
    """Headers carrying a new key of ``role``, stored in ``store``."""
    token = await create_key(store, f"tests-{role.value}", role, actor="tests")
    return {"Authorization": f"Bearer {token}"}


@contextlib.asynccontextmanager
async def asgi_client(
    store: GraphStore,
    role: Role | None = Role.ADMIN,
    *,
    rate_limiter: RateLimiter | None = None,
    compiled_reads: bool = True,
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app serving ``store`` (its own app: a worker of its own), sending
    a key of ``role`` (None: no credentials); ``rate_limiter``: the app's buckets;
    ``compiled_reads``: the setting (False: the resolvers answer every query)."""
    async with asgi_app_client(
        store, role, rate_limiter=rate_limiter, compiled_reads=compiled_reads
    ) as (_, client):
        yield client


@contextlib.asynccontextmanager
async def asgi_app_client(
    store: GraphStore,
    role: Role | None = Role.ADMIN,
    *,
    rate_limiter: RateLimiter | None = None,
    compiled_reads: bool = True,
) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """:func:`asgi_client`, with the app it talks to (to look at its state)."""
    app = create_app(
        Settings(
            backend="neo4j" if store.backend == "neo4j" else "embedded",
            compiled_reads=compiled_reads,
        ),
        store=store,
        rate_limiter=rate_limiter,
    )
    headers = {} if role is None else await bearer(store, role)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as client:
        yield app, client
