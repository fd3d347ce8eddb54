"""An httpx client on the ASGI app, over each backend's fresh store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from graph_crm.api import create_app
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore


@pytest.fixture
async def client(store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(backend="neo4j" if store.backend == "neo4j" else "embedded"), store=store
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
