"""An httpx client on the ASGI app, over each backend's fresh store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from graph_crm.api import create_app
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.neo4j_env import open_neo4j_store


def asgi_client(store: GraphStore) -> httpx.AsyncClient:
    """A client of an app serving ``store`` (its own app: a worker of its own)."""
    app = create_app(
        Settings(backend="neo4j" if store.backend == "neo4j" else "embedded"), store=store
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def client(store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(store) as http:
        yield http


@pytest.fixture
async def twin_store(
    store: GraphStore, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[GraphStore]:
    """A second store on the same database, as another worker process would open it."""
    twin: GraphStore
    if store.backend == "neo4j":
        twin = await open_neo4j_store(request.getfixturevalue("neo4j_target"))
    else:
        twin = await EmbeddedStore.open(tmp_path / "graph.db")
    try:
        yield twin
    finally:
        await twin.close()
