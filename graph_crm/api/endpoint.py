"""The GraphQL endpoint: one request, one chosen operation, checked, then run on budget.

The order is the security argument, cheapest refusal first. The route's middleware
(:mod:`graph_crm.api.graphql_route`) has settled, in this order:

1. who is calling (a bearer key; failed attempts throttled per client address) and
   whether their key is within its rate;
2. that a POST's body is JSON, unencoded, within the role's size, arrived in time.

Then, here:

3. the request read strictly (UTF-8, JSON, its fields), the operation chosen once
   (:func:`~graph_crm.api.operation.select_operation`) and measured in linear time
   (tokens, expanded selections, depth, aliases);
4. the role's permission for every root field of *that* operation;
5. execution of exactly that operation, under the role's time and work budget, and
   cancelled if the client goes away: a typed query by one store read when it compiles
   (:mod:`graph_crm.api.compiled.run`, after validation and the cost limit), anything
   else by strawberry.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from typing import Any, TypeVar

import orjson
from graphql import GraphQLError, OperationType
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.http import process_result
from strawberry.types import ExecutionResult

from graph_crm.api.access import check_access
from graph_crm.api.compiled.run import compiled_result
from graph_crm.api.context import ApiContext
from graph_crm.api.limits import check_shape
from graph_crm.api.loaders import Loaders
from graph_crm.api.operation import BadOperation, Operation, select_operation
from graph_crm.api.operation_policy import OperationPolicy
from graph_crm.api.principal import (
    Principal,
    keep_registry,
    principal_of,
    registry_read_with_key,
)
from graph_crm.api.refusal import refuse
from graph_crm.api.request_data import GraphQLRequest, RequestRefused, read_graphql_request
from graph_crm.api.request_log import note
from graph_crm.api.verified_keys import confirm, settled, unconfirmed
from graph_crm.errors import StoreUnavailable
from graph_crm.store.base import GraphStore
from graph_crm.store.budget import work_budget
from graph_crm.store.reads.guard import ReadGuard

T = TypeVar("T")


class GraphQLEndpoint:
    """An ASGI endpoint serving GraphQL over GET and POST to an authenticated caller."""

    def __init__(self, policy: OperationPolicy) -> None:
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self._respond(request)
        guard = unconfirmed(request)
        if guard is not None:
            # refused before it ran (a bad body, a GET mutation, ...): a key let in
            # unconfirmed is confirmed first, so a revoked one gets its 401 instead
            refused = await confirm(request, guard)
            if refused is not None:
                response = refused
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        principal = principal_of(request)
        try:
            body = await read_graphql_request(request)
            operation = select_operation(body.query, body.operation_name)
        except RequestRefused as error:
            return refuse(request, error.status, error.code, error.message)
        except BadOperation as error:
            return refuse(request, 400, error.code, error.message)
        except GraphQLError as error:  # a syntax error: answered the GraphQL way
            return _graphql_response(request, ExecutionResult(data=None, errors=[error]))
        note(
            request,
            operation=operation.name,
            kind=operation.kind.value,
            fields=list(operation.root_fields),
        )
        if request.method == "GET" and operation.kind is not OperationType.QUERY:
            return refuse(
                request,
                405,
                "METHOD_NOT_ALLOWED",
                f"a {operation.kind.value} must be sent with POST, not GET",
            )
        if operation.kind is OperationType.SUBSCRIPTION:
            return refuse(
                request,
                400,
                "BAD_REQUEST",
                "a subscription is served over WebSocket (graphql-transport-ws) at this "
                "path, not over HTTP",
            )
        return await self._run(request, principal, body, operation)

    async def _run(
        self, request: Request, principal: Principal, body: GraphQLRequest, operation: Operation
    ) -> Response:
        guard = unconfirmed(request)
        if guard is not None:
            # a key verified before: answered by a compiled read that checks the key and
            # the registry itself, or else confirmed the full way first (verified_keys.py)
            came_in_on = registry_read_with_key(request)
            answered = await self._serve(request, principal, body, operation, guard)
            if answered is not None:
                return answered
            # This process learned of a newer registry while the request ran (a change
            # made here, or read by another request): the request keeps the registry it
            # came in on. Else the one read now, which a change made elsewhere since this
            # process last looked is in: served from the next request, as ever.
            store: GraphStore = request.app.state.store
            changed_meanwhile = store.known_registry().version != guard.registry_version
            refused = await confirm(request, guard)
            if refused is not None:
                return refused
            if changed_meanwhile and came_in_on is not None:
                keep_registry(request, came_in_on)
        served = await self._serve(request, principal, body, operation, None)
        assert served is not None  # only an unconfirmed request is left unanswered
        return served

    async def _serve(
        self,
        request: Request,
        principal: Principal,
        body: GraphQLRequest,
        operation: Operation,
        guard: ReadGuard | None,
    ) -> Response | None:
        """The checks, then the operation, on budget. Behind a ``guard`` (the request is
        unconfirmed) only a compiled read that the guard held for is answered; None
        wherever the request would be refused or run any other way: nothing is answered,
        written or read but that read before the key is confirmed."""
        policy = self.policy
        too_big = check_shape(operation, policy.limits(principal.role).query_depth)
        if too_big is not None:
            if guard is not None:
                return None
            return _graphql_response(request, ExecutionResult(data=None, errors=[too_big]))
        no_introspection = policy.introspection_refusal(principal, operation)
        if no_introspection is not None:
            if guard is not None:
                return None
            await policy.forbidden(request, principal, operation, [no_introspection])
            return _graphql_response(request, ExecutionResult(data=None, errors=[no_introspection]))
        store: GraphStore = request.app.state.store
        # Asked on every request: the registry lives in the store, where another worker
        # process may have changed it since this one last looked. Read with the caller's
        # key (one round trip, api/authentication.py), else (a JWT) now; behind a guard,
        # the one this process knows, which the guarded read checks. Like the key check,
        # a small fixed read: the budget is for the operation's own work.
        registry = registry_read_with_key(request)
        if registry is None:
            try:
                registry = await store.registry()
            except StoreUnavailable as error:
                return refuse(request, 503, error.code, error.message)
        forbidden = check_access(principal, operation, registry)
        if forbidden:
            if guard is not None:
                return None
            await policy.forbidden(request, principal, operation, forbidden)
            return _graphql_response(request, ExecutionResult(data=None, errors=forbidden))
        # Built off the loop if this version is new to this process (api/live.py).
        schema = await request.app.state.live_schema.for_registry(registry)
        context = ApiContext(
            store=store,
            request=request,
            principal=principal,
            registry=registry,
            schema=schema,
            loaders=Loaders(store),
            operation=operation,
            limits=policy.limits(principal.role),
        )

        async def execute() -> list[ExecutionResult]:
            with work_budget(policy.budget(principal.role)):
                # a typed query: one store read (api/compiled/), after the same checks
                compiled = await compiled_result(context, body.variables, guard)
                if compiled is not None:
                    return [compiled]
                if guard is not None:
                    return []  # not answered behind the guard: confirmed first
                executed = await context.schema.execute(
                    body.query,
                    variable_values=body.variables,
                    context_value=context,
                    operation_name=operation.name,
                )
                return [executed]

        answered = await _unless_client_leaves(request, execute())
        if answered is None:
            settled(request)  # nobody to answer
            # Nobody is listening; the status is for the log line only.
            return refuse(request, 499, "CLIENT_GONE", "the client went away")
        if not answered:
            return None
        result = answered[0]
        if guard is not None:
            if result.errors:
                # the store failed (say, the budget ran out): the guard may not have been
                # read, so the key is confirmed before the error is sent, not run again
                refused = await confirm(request, guard)
                if refused is not None:
                    return refused
            else:
                settled(request)  # the guarded read found the key and registry as given
        return _graphql_response(request, result)


async def _unless_client_leaves(request: Request, work: Coroutine[Any, Any, T]) -> T | None:
    """``work``'s result; None (and ``work`` cancelled) if the client disconnects first.

    The body has been read, so the next message the server has for us is the client
    leaving; cancelling the work interrupts its store call (see the stores' budgets).
    """
    task: asyncio.Task[T] = asyncio.ensure_future(work)
    watcher = asyncio.ensure_future(_disconnected(request.receive))
    try:
        done, _ = await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        watcher.cancel()
        raise
    if task in done:
        watcher.cancel()
        return task.result()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return None


async def _disconnected(receive: Receive) -> None:
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            return


def _graphql_response(request: Request, result: ExecutionResult) -> Response:
    data = process_result(result)
    if result.errors:
        first = result.errors[0].extensions or {}
        note(request, code=str(first.get("code", "GRAPHQL_ERROR")))
    return Response(response_bytes(data), media_type="application/json")


def response_bytes(data: object) -> bytes:
    """The response as UTF-8 JSON, made in one pass by orjson (in C: no Python object per
    field). What orjson refuses (a lone surrogate, an integer past 64 bits) is written by
    the standard library instead, escaped as ``\\uXXXX``: never a half pair on the wire."""
    try:
        return orjson.dumps(data)
    except orjson.JSONEncodeError:
        return json.dumps(data).encode("utf-8")
