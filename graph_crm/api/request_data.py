"""A GraphQL request read off HTTP, strictly: every malformed shape is a clear 4xx.

GET carries ``query``/``variables``/``operationName`` as query parameters; POST carries
them as a UTF-8 JSON object (its media type, encoding, size and arrival checked before,
by :mod:`graph_crm.api.request_body`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Final

from starlette.requests import Request


class RequestRefused(Exception):
    """An HTTP request refused before GraphQL sees it: its status, code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad_request(message: str) -> RequestRefused:
    return RequestRefused(400, "BAD_REQUEST", message)


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str
    operation_name: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)


_SURROGATE_ESCAPE: Final = re.compile(rb"\\u[dD][89a-fA-F]")


async def read_graphql_request(request: Request) -> GraphQLRequest:
    """The request's query, operation name and variables, or :class:`RequestRefused`.

    A POST's body was checked and read by :mod:`graph_crm.api.request_body` already.
    """
    if request.method == "GET":
        params = request.query_params
        if len(params.getlist("query")) > 1 or len(params.getlist("operationName")) > 1:
            raise bad_request("give each of query and operationName at most once")
        variables: object = None
        if params.get("variables"):
            variables = _json(params["variables"].encode("utf-8", "surrogatepass"))
        return _fields({**params, "variables": variables})
    return _fields(_json(await request.body()))


def _json(raw: bytes) -> object:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise bad_request(
            f"the request body is not UTF-8 (byte {error.start}): send JSON encoded as UTF-8"
        ) from None
    try:
        decoded = json.loads(text)
    except RecursionError:
        raise bad_request("the request body is nested too deeply") from None
    except ValueError as error:
        raise bad_request(f"the request body is not JSON: {str(error)[:120]}") from None
    # JSON may escape half of a surrogate pair alone ("\ud800"): not text, so it could
    # be neither stored nor echoed in an answer. Refused here, before anything runs.
    if _SURROGATE_ESCAPE.search(raw) and _has_lone_surrogate(decoded):
        raise bad_request("the request holds a lone UTF-16 surrogate, not text")
    return decoded


def _has_lone_surrogate(value: object) -> bool:
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


def _fields(data: object) -> GraphQLRequest:
    if not isinstance(data, dict):
        raise bad_request(
            "the request must be one JSON object with 'query' (batches are not served)"
        )
    query = data.get("query")
    if query is None or query == "":
        raise bad_request("no GraphQL query given: send {'query': '...'}")
    if not isinstance(query, str):
        raise bad_request("'query' must be a string")
    name = data.get("operationName")
    if name == "":
        name = None
    if name is not None and not isinstance(name, str):
        raise bad_request("'operationName' must be a string or null")
    variables = data.get("variables")
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        raise bad_request("'variables' must be an object or null")
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise bad_request("'extensions' must be an object or null")
    return GraphQLRequest(query=query, operation_name=name, variables=variables)
