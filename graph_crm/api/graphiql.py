"""What ``/graphql`` answers before asking who is calling: the GraphiQL page (it holds no
data, so it needs no key: the offline page of graph_crm/web, as ``/graphiql`` serves it)
and 405 to a method other than GET and POST (Starlette's routing lets HEAD in beside GET)."""

from __future__ import annotations

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from graph_crm.api.refusal import refuse
from graph_crm.web.routes import GRAPHIQL_PAGE, page


class GraphiQLPage:
    """ASGI middleware in front of authentication on the GraphQL route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        method = scope["method"]
        response: Response
        if method not in ("GET", "POST"):
            response = refuse(
                conn, 405, "METHOD_NOT_ALLOWED", f"{method} {conn.url.path}: use GET or POST"
            )
        elif _wants_page(conn, method):
            response = page(GRAPHIQL_PAGE, Request(scope, receive))
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


def _wants_page(conn: HTTPConnection, method: str) -> bool:
    return (
        method == "GET"
        and "query" not in conn.query_params
        and "text/html" in conn.headers.get("accept", "")
    )
