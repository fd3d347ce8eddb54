"""An httpx client on the ASGI app, over each backend's fresh store."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client


@pytest.fixture
async def client(store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(store) as http:
        yield http
