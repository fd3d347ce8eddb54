"""A request refused over HTTP before GraphQL answers it: one JSON error shape, and the
refusal's code in the request's log line."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from graph_crm.api.request_log import note
from graph_crm.api.role_limits import RateLimited


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}}, status_code=status, headers=headers
    )


def refuse(
    conn: HTTPConnection,
    status: int,
    code: str,
    message: str,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """:func:`error_response`, its code noted for the request's log line."""
    note(conn, code=code)
    return error_response(status, code, message, headers)


def retry_after(error: RateLimited) -> dict[str, str]:
    """The ``Retry-After`` header of a 429: whole seconds, at least one."""
    return {"Retry-After": str(max(1, round(error.retry_after)))}
