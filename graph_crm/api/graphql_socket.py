"""``/graphql`` over WebSocket: subscriptions, with the ``graphql-transport-ws`` protocol.

Strawberry's protocol handler speaks the protocol (``connection_init`` / ``ack``,
``ping`` / ``pong``, ``subscribe`` / ``next`` / ``error`` / ``complete``, its close
codes); this module puts our checks where HTTP has them, with the same functions:

1. ``connection_init``: the key (:mod:`graph_crm.api.socket_key`: the upgrade's
   ``Authorization`` header or the payload's), failed attempts throttled per address;
   no key or a bad one closes the connection with 4403, a throttled address with 4429;
2. each ``subscribe`` (:mod:`graph_crm.api.socket_operation`): the key's rate, the
   operation chosen once and measured, only a ``subscription`` (queries and mutations go
   over HTTP), the role's depth, the introspection switch, the role's permission (a
   refusal audited as HTTP's are), the variables and the cost estimate, then validation
   by the schema of the current registry version; a refusal is the operation's
   ``error`` message (code, message, path), and the connection stays;
3. while it lives: the key checked again at least every second and before each
   notification; revoked or expired, the connection is closed with 4403.

At most :data:`MAX_SUBSCRIPTIONS` operations run per connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncGenerator, Mapping
from datetime import timedelta
from typing import Any, Final, cast

from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.http.async_base_view import AsyncWebSocketAdapter
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    Operation as SocketOperation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.utils.aio import aclosing

from graph_crm.api.errors import INTERNAL_CODE, INTERNAL_MESSAGE, shape_error
from graph_crm.api.live import LiveSchema
from graph_crm.api.request_log import note
from graph_crm.api.socket_key import ConnectionKey, SocketRefused, close_reason
from graph_crm.api.socket_operation import SocketSettings, prepare_subscription, refusal
from graph_crm.api.subscriptions_api import SubscriberTooSlow
from graph_crm.store.budget import work_budget
from graph_crm.store.uncut import uncut

logger = logging.getLogger("graph_crm.api")

SUBPROTOCOL: Final = "graphql-transport-ws"
#: Operations one connection may run at once.
MAX_SUBSCRIPTIONS: Final = 10
#: How long a new connection has to send connection_init (else 4408).
INIT_TIMEOUT: Final = timedelta(seconds=10)
#: A subscriber that fell too far behind: the standard "try again later".
CLOSE_TOO_SLOW: Final = 1013


class _Closed(Exception):
    """The connection was closed while an operation ran."""


class _Socket(AsyncWebSocketAdapter):
    """Strawberry's view of a Starlette WebSocket: JSON text messages."""

    def __init__(self, websocket: WebSocket) -> None:
        super().__init__(cast(Any, None))
        self.ws = websocket

    async def iter_json(
        self, *, ignore_parsing_errors: bool = False
    ) -> AsyncGenerator[object, None]:
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                try:
                    yield json.loads(text)
                except ValueError as error:
                    raise NonJsonMessageReceived from error
        except KeyError as error:  # a binary message has no "text"
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            return

    async def send_json(self, message: Mapping[str, object]) -> None:
        if self.ws.application_state == WebSocketState.DISCONNECTED:
            raise WebSocketDisconnected
        try:
            text = json.dumps(message, ensure_ascii=False)
            if not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:  # a lone surrogate: escaped, never a failure
                    text = json.dumps(message)
            await self.ws.send_text(text)
        except (WebSocketDisconnect, RuntimeError) as error:
            raise WebSocketDisconnected from error

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(RuntimeError):
                await self.ws.close(code=code, reason=reason)


class SubscriptionHandler(BaseGraphQLTransportWSHandler[None, None]):
    """Strawberry's protocol handler with our authentication and operation checks."""

    def __init__(self, websocket: WebSocket, settings: SocketSettings) -> None:
        self.conn = websocket
        self.settings = settings
        live: LiveSchema = websocket.app.state.live_schema
        super().__init__(
            cast(Any, None),  # the view: only its on_ws_connect, which we replace
            _Socket(websocket),
            None,
            None,
            live.core,  # unused: each operation runs on its registry version's schema
            INIT_TIMEOUT,
            MAX_SUBSCRIPTIONS,
        )
        self.key: ConnectionKey | None = None
        self._watch: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if self.connection_timed_out:
            return
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
        payload = message.get("payload") or {}
        if not isinstance(payload, dict):
            await self.websocket.close(4400, "Invalid connection init payload")
            return
        if self.connection_init_received:
            await self.websocket.close(4429, "Too many initialisation requests")
            return
        self.connection_init_received = True
        try:
            self.key = await ConnectionKey.authenticate(
                self.conn, payload, jwt=self.settings.jwt, failures=self.settings.failures
            )
        except SocketRefused as refused:
            await self.websocket.close(refused.close_code, refused.reason)
            return
        await self.send_message({"type": "connection_ack"})
        self.connection_acknowledged = True
        self._watch = asyncio.create_task(self._watch_key())

    async def _watch_key(self) -> None:
        """Closes the connection once its key is revoked or expired."""
        assert self.key is not None
        while True:
            await asyncio.sleep(self.settings.recheck_seconds)
            try:
                # a connection closing meanwhile does not cut a store call short
                await uncut(self.key.check())
            except SocketRefused as refused:
                await self.websocket.close(refused.close_code, refused.reason)
                return

    async def shutdown(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await super().shutdown()

    async def run_operation(self, operation: SocketOperation[None, None]) -> None:
        try:
            await self._run(operation)
        except (_Closed, WebSocketDisconnected):
            self.operations.pop(operation.id, None)
        except Exception:  # a bug of ours: logged, and the client told no more than that
            logger.exception("a subscription failed")
            with contextlib.suppress(Exception):
                await operation.send_initial_errors([refusal(INTERNAL_CODE, INTERNAL_MESSAGE)])

    async def _run(self, operation: SocketOperation[None, None]) -> None:
        assert self.key is not None
        prepared = await prepare_subscription(
            self.conn,
            self.settings,
            self.key.principal,
            operation.query,
            operation.operation_name,
            operation.variables,
        )
        if isinstance(prepared, list):
            await operation.send_initial_errors(prepared)
            return
        context = prepared
        with work_budget(self.settings.policy.budget(self.key.principal.role)):
            results = await context.schema.subscribe(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                operation_name=operation.operation_name,
            )
            async with aclosing(results):
                async for result in results:
                    errors = result.errors or []
                    for error in errors:
                        slow = error.original_error
                        if isinstance(slow, SubscriberTooSlow):
                            note(self.conn, code=slow.code)
                            await self.websocket.close(
                                CLOSE_TOO_SLOW, close_reason(slow.code, slow.message)
                            )
                            raise _Closed
                    shaped = [shape_error(e) for e in errors]
                    if isinstance(result, PreExecutionError):
                        await operation.send_initial_errors(shaped)
                        return
                    try:
                        await uncut(self.key.check())
                    except SocketRefused as refused:
                        await self.websocket.close(refused.close_code, refused.reason)
                        raise _Closed from None
                    await operation.send_next(
                        ExecutionResult(data=result.data, errors=shaped or None)
                    )
        await operation.send_operation_message({"id": operation.id, "type": "complete"})


class GraphQLSocket:
    """The ASGI endpoint of ``/graphql``'s WebSocket route."""

    def __init__(self, settings: SocketSettings) -> None:
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        if SUBPROTOCOL not in scope.get("subprotocols", []):
            # refused before the upgrade completes (the client sees HTTP 403)
            await websocket.close(code=4406, reason="Subprotocol not acceptable")
            return
        await websocket.accept(subprotocol=SUBPROTOCOL)
        await SubscriptionHandler(websocket, self.settings).handle()
