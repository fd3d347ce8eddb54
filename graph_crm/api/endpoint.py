"""The GraphQL endpoint: strawberry's ASGI view with the project's context and errors."""

from __future__ import annotations

import json
from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError

from graph_crm.api.context import ApiContext


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class GraphQLEndpoint(GraphQL[ApiContext, None]):
    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> ApiContext:
        assert isinstance(request, Request)
        return ApiContext(store=request.app.state.store, request=request)

    def encode_json(self, data: object) -> str:
        return json.dumps(data, ensure_ascii=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await error_response(400, "BAD_REQUEST", "only HTTP is served")(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        response: Any
        try:
            response = await self.run(request)
        except HTTPException as error:
            response = error_response(error.status_code, "BAD_REQUEST", error.reason)
        except MissingQueryError:
            response = error_response(400, "BAD_REQUEST", "no GraphQL query given")
        await response(scope, receive, send)
