"""The GraphQL endpoint: strawberry's ASGI view with the project's context and errors."""

from __future__ import annotations

import json
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graph_crm.api.context import ApiContext
from graph_crm.api.limits import MAX_BODY_BYTES
from graph_crm.api.live import LiveSchema
from graph_crm.api.loaders import Loaders
from graph_crm.errors import StoreUnavailable
from graph_crm.store.base import GraphStore


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
        store: GraphStore = request.app.state.store
        live: LiveSchema = request.app.state.live_schema
        # Asked on every request: the registry lives in the store, where another worker
        # process may have changed it since this one last looked.
        registry = await store.registry()
        return ApiContext(
            store=store,
            request=request,
            registry=registry,
            schema=live.for_registry(registry),
            loaders=Loaders(store),
        )

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: ApiContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """As strawberry's, but on the schema of this request's registry version."""
        allowed = OperationType.from_http(request_adapter.method)
        try:
            return await context.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=request_data.extensions,
            )
        except CannotGetOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason()) from error
        except InvalidOperationTypeError as error:
            raise HTTPException(400, error.as_http_error_reason(request_adapter.method)) from error

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
        except StoreUnavailable as error:
            # The registry check every request starts with could not reach the store.
            response = error_response(503, error.code, error.message)
        await response(scope, receive, send)
