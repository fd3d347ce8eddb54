"""The POST body, read strictly before GraphQL sees any of it: middleware behind
authentication and the rate limit, since how much a caller may send depends on its role.

A body must be ``application/json``, unencoded (415 otherwise), no larger than the
role's ``body_bytes`` (413, refused on its declared length before a byte is read), and
arrive complete within ``body_timeout`` seconds (408); a client that leaves mid-body
gets 400. The body read is then handed on whole: the endpoint parses it
(:mod:`graph_crm.api.request_data`) and, reading on, hears only the client leave.
"""

from __future__ import annotations

import asyncio
import time

from starlette.requests import ClientDisconnect, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from graph_crm.api.principal import principal_of
from graph_crm.api.refusal import refuse
from graph_crm.api.request_data import RequestRefused
from graph_crm.api.role_limits import ROLE_LIMITS


class BodyTooLarge(Exception):
    pass


class StrictBody:
    """ASGI middleware: a POST's body checked and read in full, or the request refused."""

    def __init__(self, app: ASGIApp, *, body_timeout: float) -> None:
        self.app = app
        self.body_timeout = body_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        limit = ROLE_LIMITS[principal_of(request).role].body_bytes
        try:
            check_media_type(request)
            body = await read_body(request, limit, self.body_timeout)
        except BodyTooLarge:
            refusal = refuse(
                request, 413, "PAYLOAD_TOO_LARGE", f"the request body is larger than {limit} bytes"
            )
            await refusal(scope, receive, send)
            return
        except RequestRefused as error:
            refusal = refuse(request, error.status, error.code, error.message)
            await refusal(scope, receive, send)
            return
        await self.app(scope, _replaying(body, receive), send)


def check_media_type(request: Request) -> None:
    """An unencoded JSON body, or a 415 :class:`RequestRefused`."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise RequestRefused(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            f"Content-Encoding {encoding[:40]!r} is not accepted: send the body unencoded",
        )
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise RequestRefused(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the GraphQL request as JSON with 'Content-Type: application/json'",
        )


async def read_body(request: Request, limit: int, timeout: float) -> bytes:
    """The whole body, at most ``limit`` bytes (else :class:`BodyTooLarge`), within
    ``timeout`` seconds (else a 408 :class:`RequestRefused`)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + timeout
    stream = request.stream().__aiter__()
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            try:
                chunk = await asyncio.wait_for(stream.__anext__(), remaining)
            except StopAsyncIteration:
                break
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            chunks.append(chunk)
    except TimeoutError:
        raise RequestRefused(
            408, "REQUEST_TIMEOUT", f"the request body did not arrive within {timeout:g} s"
        ) from None
    except ClientDisconnect:
        raise RequestRefused(400, "BAD_REQUEST", "the client went away mid-body") from None
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """``receive`` for the app behind: the body already read, then the server's own
    messages (the client leaving)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
