"""GraphQL subscriptions in tests: the app over a store, served by a real uvicorn (our
protocol, in this event loop, on a loopback port), and a graphql-transport-ws client
made with the ``websockets`` package."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from graph_crm.api import create_app
from graph_crm.api.timed_protocol import ServerConfig
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.servers import free_port

SUBPROTOCOL = "graphql-transport-ws"
#: How long a test waits for a message it expects (never for one it does not).
WAIT = 10.0


@contextlib.asynccontextmanager
async def served(store: GraphStore) -> AsyncIterator[tuple[str, Starlette]]:
    """The app over ``store``, served by uvicorn on a free port: its ``host:port``."""
    settings = Settings(backend="neo4j" if store.backend == "neo4j" else "embedded")
    app = create_app(settings, store=store)
    port = free_port()
    server = uvicorn.Server(
        ServerConfig(app, settings, host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server._serve())
    try:
        while not server.started:
            assert not task.done(), "the server stopped early"
            await asyncio.sleep(0.02)
        yield f"127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        await task


def http(address: str, headers: dict[str, str]) -> httpx.AsyncClient:
    """A real HTTP client of the served app, sending ``headers``."""
    return httpx.AsyncClient(base_url=f"http://{address}", headers=headers, timeout=WAIT)


class Subscriber:
    """One graphql-transport-ws connection."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        """The next message (a test that expects one waits at most WAIT seconds)."""
        async with asyncio.timeout(WAIT):
            message: dict[str, Any] = json.loads(await self.socket.recv())
        return message

    async def subscribe(self, id: str, query: str, **variables: Any) -> None:
        await self.send(
            {"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )

    async def closed(self) -> tuple[int, str]:
        """The close code and reason the server sent (waiting at most WAIT seconds)."""
        async with asyncio.timeout(WAIT):
            with contextlib.suppress(ConnectionClosed):
                while True:
                    await self.socket.recv()
        received = self.socket.close_code, self.socket.close_reason
        assert received[0] is not None
        return received[0], received[1] or ""


@contextlib.asynccontextmanager
async def connected(
    address: str,
    init: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
    acknowledged: bool = True,
) -> AsyncIterator[Subscriber]:
    """A connection to ``/graphql`` whose connection_init carries ``init`` (None: sends
    none); with ``acknowledged``, the server's connection_ack is awaited."""
    async with connect(
        f"ws://{address}/graphql",
        subprotocols=[SUBPROTOCOL],  # type: ignore[list-item]
        additional_headers=headers or {},
    ) as socket:
        subscriber = Subscriber(socket)
        if init is not None:
            await subscriber.send({"type": "connection_init", "payload": init})
            if acknowledged:
                assert await subscriber.receive() == {"type": "connection_ack"}
        yield subscriber
