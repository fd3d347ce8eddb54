"""The console's routes: ``/`` (the console), ``/graphiql`` and ``/static/...``.

The two pages are HTML shells that load ES modules and stylesheets from ``/static/``;
neither holds data nor a key, so they are served without authentication. Every
request the pages make afterwards goes to ``/graphql`` with the signed-in key.
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from graph_crm.web.assets import Assets, not_found

CONSOLE_PAGE: Final = "console.html"
GRAPHIQL_PAGE: Final = "graphiql.html"

ASSETS: Final = Assets()


def page(name: str, request: Request) -> Response:
    asset = ASSETS.get(name)
    return not_found(request) if asset is None else asset.response(request)


async def console(request: Request) -> Response:
    return page(CONSOLE_PAGE, request)


async def graphiql(request: Request) -> Response:
    return page(GRAPHIQL_PAGE, request)


async def static(request: Request) -> Response:
    return page(request.path_params["path"], request)


def web_routes() -> list[BaseRoute]:
    methods = ["GET", "HEAD"]
    return [
        Route("/", console, methods=methods),
        Route("/graphiql", graphiql, methods=methods),
        Route("/static/{path:path}", static, methods=methods),
    ]
