"""The HTTP surface: health, GraphiQL, JSON errors, and no internals in any answer."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any, cast

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from graph_crm.api import create_app
from graph_crm.errors import StoreUnavailable
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client, bearer
from tests.api.graphql import UPSERT, data, define_crm, mutate, post

SECRET = "MATCH (n:Secret) RETURN n -- at /srv/secret.py line 7"


class Broken:
    """A store whose chosen methods fail; everything else goes to the real one."""

    def __init__(self, store: GraphStore, failing: dict[str, Exception]) -> None:
        self._store = store
        self._failing = failing

    def __getattr__(self, name: str) -> Any:
        if name in self._failing:
            error = self._failing[name]

            async def fail(*args: Any, **kwargs: Any) -> Any:
                raise error

            return fail
        return getattr(self._store, name)


@contextlib.asynccontextmanager
async def client_for(store: GraphStore, **failing: Exception) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(), store=cast(GraphStore, Broken(store, failing)))

    async def boom(request: Request) -> Response:
        raise RuntimeError(SECRET)

    app.router.routes.append(Route("/boom", boom))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    headers = await bearer(store)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=headers
    ) as client:
        yield client


async def test_healthz(client: httpx.AsyncClient, store: GraphStore) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "backend": store.backend, "registryVersion": 0}
    defined = await define_crm(client)
    assert defined > 0
    assert (await client.get("/healthz")).json()["registryVersion"] == defined


async def test_healthz_when_the_store_is_down(store: GraphStore) -> None:
    async with client_for(store, ping=StoreUnavailable("cannot reach the database")) as http:
        response = await http.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "backend": store.backend,
        "error": {"code": "UNAVAILABLE", "message": "cannot reach the database"},
    }
    async with client_for(store, ping=RuntimeError(SECRET)) as http:
        response = await http.get("/healthz")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "UNAVAILABLE"
    assert "Secret" not in response.text


async def test_graphql_when_the_store_is_down(store: GraphStore) -> None:
    down = StoreUnavailable("cannot reach the database")
    # a request's first read (its key with the registry) finds the store down
    async with client_for(store, api_key_and_registry=down, registry=down) as http:
        response = await http.post("/graphql", json={"query": "{ schemaVersion }"})
    assert response.status_code == 503
    assert response.json() == {
        "error": {"code": "UNAVAILABLE", "message": "cannot reach the database"}
    }


async def test_graphiql_for_a_browser(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()
    by_get = await client.get("/graphql", params={"query": "{ schemaVersion }"})
    assert by_get.json() == {"data": {"schemaVersion": 0}}


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/nowhere", 404, "NOT_FOUND"),
        ("DELETE", "/graphql", 405, "METHOD_NOT_ALLOWED"),
        ("POST", "/healthz", 405, "METHOD_NOT_ALLOWED"),
    ],
)
async def test_http_errors_are_json(
    client: httpx.AsyncClient, method: str, path: str, status: int, code: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


async def test_unexpected_errors_are_logged_and_masked(
    store: GraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    async with client_for(store, api_key_and_registry=RuntimeError(SECRET)) as http:
        response = await http.get("/boom")
        assert response.status_code == 500
        assert response.json() == {
            "error": {"code": "INTERNAL", "message": "internal server error"}
        }

        # Every request starts by reading its key with the registry: a failure there is
        # masked too.
        response = await http.post("/graphql", json={"query": "{ schemaVersion }"})
        assert response.status_code == 500
        assert response.json() == {
            "error": {"code": "INTERNAL", "message": "internal server error"}
        }

    async with client_for(store, get_entities=RuntimeError(SECRET)) as http:
        body = await post(http, '{ entity(id: "Customer:A") { id } }')
        assert body["errors"][0]["extensions"] == {"code": "INTERNAL"}
        assert "Secret" not in str(body)

    async with client_for(store, upsert_entities=RuntimeError(SECRET)) as http:
        defined = await define_crm(http)
        result = await mutate(
            http, UPSERT, "upsertEntities", type="Customer", records=[{"key": "A", "name": "A"}]
        )
        assert result["code"] == "INTERNAL"
        assert "Secret" not in str(result)
    logged = [r for r in caplog.records if r.name == "graph_crm.api" and r.exc_info]
    assert len(logged) >= 2
    async with httpx_client(store) as http:
        assert await data(http, "{ schemaVersion }") == {"schemaVersion": defined}


def httpx_client(store: GraphStore) -> contextlib.AbstractAsyncContextManager[httpx.AsyncClient]:
    return asgi_client(store)


async def test_malformed_requests_are_json_errors(client: httpx.AsyncClient) -> None:
    not_json = await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 400
    assert not_json.json()["error"]["code"] == "BAD_REQUEST"
    no_query = await client.post("/graphql", json={"variables": {}})
    assert no_query.status_code == 400
    assert no_query.json()["error"]["code"] == "BAD_REQUEST"
    syntax = await post(client, "{ schemaVersion ")
    assert syntax["errors"][0]["message"].startswith("Syntax Error")
