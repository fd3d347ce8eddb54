"""uvicorn's HTTP/1.1 protocol with read deadlines and a bound on open connections.

uvicorn's own HTTP/1.1 protocol waits for a request's head and body as long as the client
keeps the connection open, and counts connections against ``limit_concurrency`` only once
a complete head has arrived. :class:`TimedH11Protocol` (uvicorn's h11 protocol, chosen
explicitly) adds, per connection:

- a *head deadline*: the complete head (request line and headers, at most
  :data:`MAX_HEAD_BYTES`, else 400) must arrive within ``header_timeout`` seconds of the
  connection opening, or of the first byte of a later request on a kept-alive connection;
- a *body deadline*: the complete body within ``body_timeout`` seconds of the end of the
  head, for every route. The clock restarts while the server, not the client, holds the
  body back (its read buffer is full, or a ``100 Continue`` is not sent yet);
- past a deadline: ``408`` if nothing of that request was answered yet (a connection that
  sent nothing at all is closed quietly, as an idle keep-alive one is), then close; the app,
  if it was waiting for the body, receives ``http.disconnect``;
- a bound on *open connections* per server process, idle keep-alive and half-sent ones
  included: connection number ``max_connections + 1`` is answered ``503`` at once and
  closed (after at most :data:`REFUSAL_LINGER` seconds, reading and dropping what it sends,
  so that the 503 is not lost to a reset).
"""

from __future__ import annotations

import asyncio
import http
import logging
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, Literal

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from graph_crm.api.stopping import AnswerWhenCancelled
from graph_crm.settings import Settings

# uvicorn's own log (its format and level), where it reports invalid requests too.
logger = logging.getLogger("uvicorn.error")

#: The largest request head (request line and headers) read; a larger one is answered 400.
MAX_HEAD_BYTES: Final = 16 * 1024
#: The largest WebSocket message a subscription client may send (a subscribe is a few KB).
MAX_WS_MESSAGE_BYTES: Final = 1024 * 1024
#: Seconds a connection refused past ``max_connections`` stays open for its 503 to be read.
REFUSAL_LINGER: Final = 1.0

Phase = Literal["head", "body"]


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    header_timeout: float
    body_timeout: float
    max_connections: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ConnectionLimits:
        return cls(settings.header_timeout, settings.body_timeout, settings.max_connections)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The options of uvicorn's ``Config`` that serving graph-crm sets."""
    return {
        "http": TimedH11Protocol,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        # uvicorn answers 503 once open connections or requests in flight reach this. Our
        # protocol keeps connections at max_connections, so this bounds requests in flight
        # (those whose client has left included) at max_connections too.
        "limit_concurrency": settings.max_connections + 1,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "timeout_graceful_shutdown": settings.shutdown_timeout,
        # subscriptions (graphql-transport-ws): the websockets library's sans-I/O
        # protocol, a message held to what an HTTP request's body may be
        "ws": "websockets-sansio",
        "ws_max_size": MAX_WS_MESSAGE_BYTES,
    }


class ServerConfig(uvicorn.Config):
    """uvicorn's ``Config`` with graph-crm's serving settings and connection limits."""

    def __init__(self, app: Any, settings: Settings, **options: Any) -> None:
        super().__init__(app, **uvicorn_options(settings), **options)
        self.limits = ConnectionLimits.from_settings(settings)


def _limits(config: uvicorn.Config) -> ConnectionLimits:
    if isinstance(config, ServerConfig):
        return config.limits
    return _limits_from_env()


@cache
def _limits_from_env() -> ConnectionLimits:
    return ConnectionLimits.from_settings(Settings.from_env())


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with head and body deadlines and a connection bound."""

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.app = AnswerWhenCancelled(self.app)
        self.limits = _limits(config)
        self._deadline: asyncio.TimerHandle | None = None
        self._phase: Phase | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self._refuse()
        else:
            self._follow()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # read and dropped: closing with unread data would reset the 503 away
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        super().connection_lost(exc)

    def _follow(self) -> None:
        """Run the deadline of where the current request stands."""
        if self._refused:
            return
        if self.transport.is_closing() or self.transport.get_protocol() is not self:
            self._stop_clock()  # closed, or upgraded to another protocol
            return
        state = self.conn.their_state
        if state is h11.IDLE and self.timeout_keep_alive_task is None:
            self._start_clock("head", self.limits.header_timeout)
        elif state is h11.SEND_BODY:
            self._start_clock("body", self.limits.body_timeout)
        else:
            # Idle between requests (the keep-alive timeout closes it), or the request is
            # in: how long the app works on it is the work budget's business.
            self._stop_clock()

    def _start_clock(self, phase: Phase, seconds: float) -> None:
        if self._phase == phase:
            return  # the deadline counts from the start of the phase, not from the last byte
        self._stop_clock()
        self._phase = phase
        self._deadline = self.loop.call_later(seconds, self._expired, phase)

    def _stop_clock(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._phase = None

    def _expired(self, phase: Phase) -> None:
        self._deadline = None
        self._phase = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if phase == "body" and (
            self.flow.read_paused or (cycle is not None and cycle.waiting_for_100_continue)
        ):
            self._start_clock("body", self.limits.body_timeout)
            return
        seconds = self.limits.header_timeout if phase == "head" else self.limits.body_timeout
        logger.info(
            "%s: no complete request %s within %g s: closing the connection",
            _peer(self.client),
            phase,
            seconds,
        )
        self._time_out()

    def _time_out(self) -> None:
        """408 if this request has begun and nothing of it was answered; then close."""
        begun = self.conn.their_state is not h11.IDLE or bool(self.conn.trailing_data[0])
        unanswered = self.conn.our_state in (h11.IDLE, h11.SEND_RESPONSE)
        if begun and unanswered:
            if self.conn.our_state is h11.SEND_RESPONSE and self.cycle is not None:
                # The app, waiting for the body, gets a disconnect; its answer goes nowhere.
                self.cycle.disconnected = True
                self.cycle.message_event.set()
            self.transport.write(self._answer(408, b"Request Timeout"))
        self.transport.close()

    def _refuse(self) -> None:
        self._refused = True
        self.connections.discard(self)
        logger.warning(
            "%s: %d connections open: refusing one more (503)",
            _peer(self.client),
            self.limits.max_connections,
        )
        self.transport.write(self._answer(503, b"Service Unavailable", (b"retry-after", b"1")))
        if self.transport.can_write_eof():
            self.transport.write_eof()  # the client reads the 503, then its EOF closes ours
        self._deadline = self.loop.call_later(REFUSAL_LINGER, self.transport.close)

    def _answer(self, status: int, text: bytes, *headers: tuple[bytes, bytes]) -> bytes:
        """A complete ``Connection: close`` response, through h11 (it allows one unasked)."""
        response = h11.Response(
            status_code=status,
            reason=http.HTTPStatus(status).phrase.encode(),
            headers=[
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(text)).encode()),
                (b"connection", b"close"),
                *headers,
            ],
        )
        events = (response, h11.Data(data=text), h11.EndOfMessage())
        return b"".join(chunk for event in events if (chunk := self.conn.send(event)))


def _peer(client: tuple[str, int] | None) -> str:
    return f"{client[0]}:{client[1]}" if client else "a client"
