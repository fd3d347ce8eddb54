"""The GraphQL endpoint: strawberry's ASGI view with the project's context and errors."""

from __future__ import annotations

import json
import re
from typing import Any, Final

from cross_web import AsyncHTTPRequestAdapter, HTTPException
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

from graph_crm.api.access import authenticate, check_access
from graph_crm.api.context import ApiContext
from graph_crm.api.limits import MAX_BODY_BYTES
from graph_crm.api.live import LiveSchema
from graph_crm.api.loaders import Loaders
from graph_crm.api.role_limits import ROLE_LIMITS, RateLimited, RateLimiter
from graph_crm.auth.keys import Unauthenticated
from graph_crm.errors import StoreUnavailable
from graph_crm.store.base import GraphStore


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


_SURROGATE_ESCAPE: Final = re.compile(rb"\\u[dD][89a-fA-F]")


def _has_lone_surrogate(value: object) -> bool:
    """Whether any text in a decoded JSON value holds a lone surrogate (not encodable)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    return error_response(
        413, "PAYLOAD_TOO_LARGE", f"the request body is larger than {limit} bytes"
    )


def _bounded(receive: Receive, limit: int) -> Receive:
    """``receive``, failing once a body without a declared length grows past ``limit``."""
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
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
            principal=getattr(request.state, "principal", None),
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
        if context.principal is None:  # only the GraphiQL page is served without a key
            raise Unauthenticated("this API needs an API key")
        refused = check_access(
            context.principal,
            request_data.query or "",
            request_data.operation_name,
            context.registry,
        )
        if refused:
            return ExecutionResult(data=None, errors=refused)
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
            decoded = super().decode_json(data)
        except RecursionError:
            raise HTTPException(400, "the request body is nested too deeply") from None
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        # JSON may escape half of a surrogate pair alone ("\ud800"): not text, so it could
        # be neither stored nor echoed in an answer. Refused here, before anything runs.
        if _SURROGATE_ESCAPE.search(raw) and _has_lone_surrogate(decoded):
            raise HTTPException(400, "the request holds a lone UTF-16 surrogate, not text")
        return decoded

    def encode_json(self, data: object) -> str:
        text = json.dumps(data, ensure_ascii=False)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # never sent a half pair: escape it instead of failing
            return json.dumps(data)
        return text

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await error_response(400, "BAD_REQUEST", "only HTTP is served")(scope, receive, send)
            return
        # Who is calling is known from the headers alone, before any body is read.
        head = Request(scope=scope)
        limit = MAX_BODY_BYTES
        response: Any
        try:
            principal = None
            if not self.should_render_graphql_ide(self.request_adapter_class(head)):
                principal = await authenticate(head, head.app.state.store, head.app.state.jwt)
                limits = ROLE_LIMITS[principal.role]
                limiter: RateLimiter = head.app.state.rate_limiter
                limiter.take(principal.key_id, limits.requests_per_minute)
                limit = limits.body_bytes
            declared = head.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _BodyTooLarge
            request = Request(scope=scope, receive=_bounded(receive, limit))
            request.state.principal = principal
            response = await self.run(request)
        except _BodyTooLarge:
            response = _too_large(limit)
        except Unauthenticated as error:
            response = error_response(401, error.code, error.message)
            response.headers["WWW-Authenticate"] = 'Bearer realm="graph-crm"'
        except RateLimited as error:
            response = error_response(429, error.code, error.message)
            response.headers["Retry-After"] = str(max(1, round(error.retry_after)))
        except HTTPException as error:
            response = error_response(error.status_code, "BAD_REQUEST", error.reason)
        except MissingQueryError:
            response = error_response(400, "BAD_REQUEST", "no GraphQL query given")
        except StoreUnavailable as error:
            # The key or registry check every request starts with could not reach the store.
            response = error_response(503, error.code, error.message)
        await response(scope, receive, send)
