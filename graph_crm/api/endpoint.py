"""The GraphQL endpoint: strawberry's ASGI view with the project's context and errors."""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError

from graph_crm.api.context import ApiContext
from graph_crm.api.limits import MAX_BODY_BYTES


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class _BodyTooLarge(Exception):
    pass


def _too_large() -> JSONResponse:
    return error_response(
        413, "PAYLOAD_TOO_LARGE", f"the request body is larger than {MAX_BODY_BYTES} bytes"
    )


def _bounded(receive: Receive) -> Receive:
    """``receive``, failing once a body without a declared length grows past the limit."""
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY_BYTES:
            raise _BodyTooLarge
        return message

    return bounded


class GraphQLEndpoint(GraphQL[ApiContext, None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> ApiContext:
        assert isinstance(request, Request)
        return ApiContext(store=request.app.state.store, request=request)

    def decode_json(self, data: str | bytes) -> object:
        try:
            return super().decode_json(data)
        except RecursionError:
            raise HTTPException(400, "the request body is nested too deeply") from None

    def encode_json(self, data: object) -> str:
        return json.dumps(data, ensure_ascii=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await error_response(400, "BAD_REQUEST", "only HTTP is served")(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            await _too_large()(scope, receive, send)
            return
        request = Request(scope=scope, receive=_bounded(receive))
        response: Any
        try:
            response = await self.run(request)
        except _BodyTooLarge:
            response = _too_large()
        except HTTPException as error:
            response = error_response(error.status_code, "BAD_REQUEST", error.reason)
        except MissingQueryError:
            response = error_response(400, "BAD_REQUEST", "no GraphQL query given")
        await response(scope, receive, send)
