"""One structured line per request, refused ones included, on the ``graph_crm.access``
logger: time, key id (or ``anonymous``), client address, operation name, root fields,
HTTP status, error code and duration, as one JSON object. A WebSocket connection (the
subscriptions') is one line when it ends: method ``WEBSOCKET``, its close code as the
status, the fields its subscriptions asked for.

The endpoint adds what it learns as it goes (:func:`note`); the middleware writes the
line once the response has started, so a request refused at any step is logged alike.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_logger = logging.getLogger("graph_crm.access")

_NOTES = "graph_crm.request_log"


def note(request: HTTPConnection, **fields: Any) -> None:
    """Add ``fields`` to this request's log line (later notes win)."""
    notes = request.scope.get(_NOTES)
    if notes is not None:
        notes.update(fields)


def request_notes(scope: Scope) -> dict[str, Any]:
    """What the endpoint noted about this request so far (empty outside the middleware)."""
    notes: dict[str, Any] = scope.get(_NOTES, {})
    return notes


class RequestLog:
    """ASGI middleware writing the request's line to ``graph_crm.access``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        notes: dict[str, Any] = {}
        scope[_NOTES] = notes
        # a WebSocket's status is its close code: the app's, else the client's
        status = 500 if scope["type"] == "http" else 1000
        closed_by_app = False

        async def sending(message: Message) -> None:
            nonlocal status, closed_by_app
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "websocket.close":
                status, closed_by_app = int(message.get("code", 1000)), True
            await send(message)

        async def receiving() -> Message:
            nonlocal status
            message = await receive()
            if message["type"] == "websocket.disconnect" and not closed_by_app:
                status = int(message.get("code", 1000))
            return message

        try:
            await self.app(scope, receiving, sending)
        finally:
            client = scope.get("client")
            line = {
                "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "key": notes.get("key", "anonymous"),
                "role": notes.get("role"),
                "client": client[0] if client else None,
                "method": scope.get("method", "WEBSOCKET"),
                "path": scope.get("path"),
                "operation": notes.get("operation"),
                "fields": notes.get("fields", []),
                "status": notes.get("status", status),
                "code": notes.get("code"),
                # answered by one store read (api/compiled/), not field by field
                "compiled": notes.get("compiled", False),
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
            access_logger.info(json.dumps(line, ensure_ascii=False))


def configure_access_log(stream: Any = None) -> None:
    """Send the request lines to stderr (or ``stream``), once per process: the server's
    operators read them there, or wherever they redirect it."""
    if any(getattr(h, "_graph_crm_access", False) for h in access_logger.handlers):
        return
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler._graph_crm_access = True  # type: ignore[attr-defined]
    access_logger.addHandler(handler)
    access_logger.setLevel(logging.INFO)
    access_logger.propagate = False
