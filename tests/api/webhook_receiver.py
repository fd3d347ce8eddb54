"""A webhook receiver for tests: a small ASGI app under uvicorn on a loopback port of
its own, in process. By path it answers 200 (``/ok``), fails with 500 a given number of
times first (``/flaky``), hangs until released (``/hang``), answers after a pause
(``/slow``), or redirects (``/redirect``); it keeps every request, with whether its
signature checks out against the secret registered for that path."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from graph_crm.incidents.webhook import DELIVERY_HEADER, SIGNATURE_HEADER, signature_valid
from graph_crm.services.webhook_delivery import (
    DeliverySettings,
    Sender,
    deliver_due,
    fan_out,
)
from graph_crm.store.base import GraphStore


@dataclass
class Received:
    path: str
    delivery: str
    body: bytes
    signed: bool


@dataclass
class Receiver:
    base: str = ""
    #: path -> the webhook's secret
    secrets: dict[str, str] = field(default_factory=dict)
    #: path -> how many more requests fail with 500
    failures: dict[str, int] = field(default_factory=dict)
    slow_seconds: float = 0.2
    #: while set, /hang answers 200 at once (the receiver recovered)
    recovered: asyncio.Event = field(default_factory=asyncio.Event)
    received: list[Received] = field(default_factory=list)

    def on(self, path: str) -> list[Received]:
        return [request for request in self.received if request.path == path]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        headers = {key.decode().lower(): value.decode() for key, value in scope["headers"]}
        path = scope["path"]
        signed = signature_valid(
            self.secrets.get(path, ""),
            headers.get(SIGNATURE_HEADER.lower(), ""),
            body,
            now=int(time.time()),
            tolerance=300,
        )
        self.received.append(Received(path, headers.get(DELIVERY_HEADER.lower(), ""), body, signed))
        status, answer, extra = 200, b"ok", []
        if path == "/hang" and not self.recovered.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.recovered.wait(), 60)
        elif path == "/slow":
            await asyncio.sleep(self.slow_seconds)
        elif path == "/redirect":
            status, extra = 307, [(b"location", f"{self.base}/ok".encode())]
        if self.failures.get(path, 0) > 0:
            self.failures[path] -= 1
            status, answer = 500, b"boom " * 100
        await send({"type": "http.response.start", "status": status, "headers": extra})
        await send({"type": "http.response.body", "body": answer})


@contextlib.asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    """A receiver served on a free loopback port until the block ends."""
    receiver = Receiver()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    receiver.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(receiver, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield receiver
    finally:
        receiver.recovered.set()
        server.should_exit = True
        await task
        sock.close()


async def work_until(
    store: GraphStore,
    settings: DeliverySettings,
    send: Sender,
    done: Callable[[], Awaitable[bool]],
    *,
    limit: float = 30.0,
) -> None:
    """Fan out and deliver, as the app's worker does, until ``done()`` (else fail after
    ``limit`` seconds: a bound on a hang, not a measurement)."""
    deadline = time.monotonic() + limit
    while not await done():
        assert time.monotonic() < deadline, "the deliveries did not settle"
        await fan_out(store)
        if not await deliver_due(store, settings, send):
            await asyncio.sleep(0.02)


async def eventually(done: Callable[[], Awaitable[bool]], *, limit: float = 30.0) -> None:
    """Wait until ``done()`` (else fail after ``limit`` seconds: a bound, not a measurement)."""
    deadline = time.monotonic() + limit
    while not await done():
        assert time.monotonic() < deadline, "it did not happen"
        await asyncio.sleep(0.02)
