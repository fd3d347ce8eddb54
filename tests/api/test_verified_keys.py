"""A key this process verified before is checked by a typed query's own read
(graph_crm/api/verified_keys.py), and every promise of the full check still holds: a key
revoked elsewhere fails on its next request whatever that request is, a type defined
elsewhere is served from the next request, a wrong secret is refused the full way."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from graph_crm.api.verified_keys import VerifiedKeys
from graph_crm.auth.keys import ApiKey, parse_token
from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_app_client
from tests.api.counting_store import CountingStore
from tests.api.graphql import data

PORT: dict[str, Any] = {"name": "Port", "properties": [{"name": "name", "kind": "STRING"}]}
LOOKUP = '{ port(key: "P1") { key name } }'


@pytest.fixture
async def served(store: GraphStore) -> AsyncIterator[tuple[Starlette, httpx.AsyncClient]]:
    """An analyst's client, its key verified by a first typed query."""
    await store.define_entity_type(PORT, actor="tests")
    await store.upsert_entities("Port", [{"key": "P1", "name": "Rotterdam"}])
    async with asgi_app_client(store, Role.ANALYST) as (app, client):
        assert await data(client, LOOKUP) == {"port": {"key": "P1", "name": "Rotterdam"}}
        assert len(app.state.verified_keys) == 1
        yield app, client


def _key_id(client: httpx.AsyncClient) -> str:
    return parse_token(client.headers["Authorization"].removeprefix("Bearer "))[0]


async def _revoke_elsewhere(twin_store: GraphStore, client: httpx.AsyncClient) -> None:
    """Revoked as another process would (the CLI, another worker): not through this app."""
    await twin_store.revoke_api_key(_key_id(client), at=datetime.now(UTC), actor="tests")


def _revoked(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"] == {
        "code": "UNAUTHENTICATED",
        "message": "the API key was revoked",
    }
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="graph-crm"'


REQUESTS = [
    pytest.param({"query": LOOKUP}, id="a compiled query"),
    pytest.param({"query": "{ __typename }"}, id="a query that reads nothing"),
    pytest.param({"query": "{ schemaVersion }"}, id="a query the resolvers answer"),
    pytest.param(
        {"query": 'mutation { upsertEntities(type: "Port", records: [{key: "P2"}]) { created } }'},
        id="a mutation its role may not send",
    ),
    pytest.param({"query": "{ port(key: "}, id="a syntax error"),
    pytest.param({"query": "{ ports { nope } }"}, id="a query that does not validate"),
    pytest.param({"query": LOOKUP, "variables": "not an object"}, id="a malformed request"),
]


@pytest.mark.parametrize("request_body", REQUESTS)
async def test_a_key_revoked_elsewhere_fails_its_next_request_whatever_it_asks(
    store: GraphStore,
    twin_store: GraphStore,
    served: tuple[Starlette, httpx.AsyncClient],
    request_body: dict[str, Any],
) -> None:
    app, client = served
    await _revoke_elsewhere(twin_store, client)
    before = await store.audit_log(first=100)

    _revoked(await client.post("/graphql", json=request_body))

    # forgotten: its next request is checked the full way (and refused there)
    assert len(app.state.verified_keys) == 0
    _revoked(await client.post("/graphql", json={"query": LOOKUP}))
    # nothing written for it: no entity, no record of a refused attempt
    assert (await store.audit_log(first=100)).items == before.items
    assert [e.key for e in (await store.list_entities("Port")).items] == ["P1"]


async def test_a_revoked_key_gets_its_401_for_a_get_mutation_too(
    twin_store: GraphStore, served: tuple[Starlette, httpx.AsyncClient]
) -> None:
    _, client = served
    await _revoke_elsewhere(twin_store, client)
    _revoked(await client.get("/graphql", params={"query": "mutation { __typename }"}))


async def test_a_type_defined_elsewhere_is_served_from_the_next_request(
    twin_store: GraphStore, served: tuple[Starlette, httpx.AsyncClient]
) -> None:
    app, client = served
    await twin_store.define_entity_type(
        {"name": "Berth", "properties": [{"name": "depth", "kind": "FLOAT"}]}, actor="tests"
    )
    await twin_store.upsert_entities("Berth", [{"key": "B1", "depth": 14.5}])
    # the new type, and an old type's compiled read (its read finds the registry moved)
    assert await data(client, '{ berth(key: "B1") { key depth } }') == {
        "berth": {"key": "B1", "depth": 14.5}
    }
    quay = await twin_store.define_entity_type({"name": "Quay", "properties": []}, actor="tests")
    assert await data(client, LOOKUP) == {"port": {"key": "P1", "name": "Rotterdam"}}
    # that read found the registry moved, and the request was served on the new one
    assert app.state.store.known_registry().version == quay.version
    assert await data(client, "{ quays { totalCount } }") == {"quays": {"totalCount": 0}}
    assert len(app.state.verified_keys) == 1


async def test_a_read_that_finds_the_registry_moved_is_answered_again_on_the_new_one(
    store: GraphStore, twin_store: GraphStore
) -> None:
    await store.define_entity_type(PORT, actor="tests")
    await store.upsert_entities("Port", [{"key": "P1", "name": "Rotterdam"}])
    counting = CountingStore(store)
    async with asgi_app_client(counting, Role.ANALYST) as (_, client):
        await data(client, LOOKUP)  # the key verified
        await twin_store.define_entity_type({"name": "Quay", "properties": []}, actor="tests")
        counting.calls.clear()
        assert await data(client, LOOKUP) == {"port": {"key": "P1", "name": "Rotterdam"}}
        reads = {name: n for name, n in counting.calls.items() if name != "known_registry"}
        # the guarded read found the registry moved (and read nothing else); the key and
        # the registry read the full way; the query answered on the new registry
        assert reads == {"read_operation": 2, "api_key_and_registry": 1}
        counting.calls.clear()
        await data(client, LOOKUP)
        reads = {name: n for name, n in counting.calls.items() if name != "known_registry"}
        assert reads == {"read_operation": 1}


async def test_a_wrong_secret_for_a_known_key_is_refused_the_full_way(
    served: tuple[Starlette, httpx.AsyncClient],
) -> None:
    app, client = served
    token = client.headers["Authorization"].removeprefix("Bearer ")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    response = await client.post(
        "/graphql", json={"query": LOOKUP}, headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "the API key is not valid"
    # the real key is still known, and still answered by its read alone
    assert len(app.state.verified_keys) == 1
    assert await data(client, LOOKUP) == {"port": {"key": "P1", "name": "Rotterdam"}}


async def test_without_compiled_reads_every_request_reads_its_key(store: GraphStore) -> None:
    await store.define_entity_type(PORT, actor="tests")
    async with asgi_app_client(store, Role.ANALYST, compiled_reads=False) as (app, client):
        await data(client, "{ ports { totalCount } }")
        await store.revoke_api_key(_key_id(client), at=datetime.now(UTC), actor="tests")
        _revoked(await client.post("/graphql", json={"query": "{ ports { totalCount } }"}))


def test_the_verified_keys_forget_the_least_recently_used_first() -> None:
    def key(key_id: str) -> ApiKey:
        return ApiKey(key_id, key_id, Role.ANALYST, "0" * 64, datetime.now(UTC), "tests")

    keys = VerifiedKeys(limit=2)
    a, b, c = key("a"), key("b"), key("c")
    keys.keep(a)
    keys.keep(b)
    assert keys.get("a") == a  # a is now the most recently used
    keys.keep(c)
    assert (keys.get("a"), keys.get("b"), keys.get("c")) == (a, None, c)
    keys.forget("a")
    assert len(keys) == 1
