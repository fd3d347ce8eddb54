"""Malformed requests get a 4xx that says what is wrong, never a 500, and change nothing."""

from __future__ import annotations

import gzip
import json
import logging
import time
from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from graph_crm.api import create_app
from graph_crm.auth.roles import Role
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client, bearer

QUERY = {"query": "{ schemaVersion }"}


@pytest.mark.parametrize(
    ("content", "headers", "status", "code", "says"),
    [
        (
            gzip.compress(json.dumps(QUERY).encode(), mtime=0),
            {"content-type": "application/json", "content-encoding": "gzip"},
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "Content-Encoding 'gzip'",
        ),
        (
            '{"query": "{ schemaVersion }", "x": "caf\u00e9"}'.encode("latin-1"),
            {"content-type": "application/json"},
            400,
            "BAD_REQUEST",
            "not UTF-8",
        ),
        (
            b"\xff\xfe{\x00",
            {"content-type": "application/json"},
            400,
            "BAD_REQUEST",
            "not UTF-8",
        ),
        (
            json.dumps(QUERY).encode(),
            {"content-type": "text/plain"},
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            "application/json",
        ),
        (b"[]", {"content-type": "application/json"}, 400, "BAD_REQUEST", "one JSON object"),
        (
            json.dumps({"query": "{ schemaVersion }", "variables": [1]}).encode(),
            {"content-type": "application/json"},
            400,
            "BAD_REQUEST",
            "'variables' must be an object",
        ),
        (
            json.dumps({"query": 5}).encode(),
            {"content-type": "application/json"},
            400,
            "BAD_REQUEST",
            "'query' must be a string",
        ),
        (
            json.dumps({"query": "fragment F on Query { __typename }"}).encode(),
            {"content-type": "application/json"},
            400,
            "BAD_REQUEST",
            "holds no operation",
        ),
    ],
)
async def test_malformed_bodies_are_clear_4xx(
    store: GraphStore,
    content: bytes,
    headers: dict[str, str],
    status: int,
    code: str,
    says: str,
) -> None:
    async with asgi_client(store, Role.ANALYST) as client:
        response = await client.post("/graphql", content=content, headers=headers)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert says in error["message"]


async def test_get_with_a_repeated_or_odd_operation_name_is_a_400(store: GraphStore) -> None:
    async with asgi_client(store, Role.ANALYST) as client:
        twice = await client.get(
            "/graphql?query=query+A{schemaVersion}&operationName=A&operationName=B"
        )
        assert twice.status_code == 400
        bad_variables = await client.get(
            "/graphql", params={"query": "{ schemaVersion }", "variables": "{not json"}
        )
        assert bad_variables.status_code == 400
        assert bad_variables.json()["error"]["code"] == "BAD_REQUEST"


async def test_a_chain_of_fragments_is_refused_by_its_expanded_size_at_once(
    store: GraphStore,
) -> None:
    """Each fragment spreads the next twice: 2**n selections once expanded. Measuring it
    visits each fragment once, so n=40 is refused as fast as n=5 is answered."""
    async with asgi_client(store, Role.ANALYST) as client:
        for n in (22, 40, 200):
            chain = " ".join(
                f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n)
            )
            document = f"query Chain {{ ...F0 }} {chain} fragment F{n} on Query {{ __typename }}"
            body = (await client.post("/graphql", json={"query": document})).json()
            assert body["data"] is None
            [error] = body["errors"]
            assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
            assert error["extensions"]["selections"] == min(2**n, 1 << 40)
        short = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(5))
        document = f"query Chain {{ ...F0 }} {short} fragment F5 on Query {{ __typename }}"
        answer = (await client.post("/graphql", json={"query": document})).json()
        assert answer == {"data": {"__typename": "Query"}}


async def test_introspection_can_be_turned_off_per_role(store: GraphStore) -> None:
    settings = Settings(
        backend="neo4j" if store.backend == "neo4j" else "embedded",
        introspection_off="analyst, integration",
    )
    app = create_app(settings, store=store)
    transport = httpx.ASGITransport(app=app)
    full = {"query": get_introspection_query()}
    for role, allowed in ((Role.ANALYST, False), (Role.INTEGRATION, False), (Role.RISK, True)):
        headers = await bearer(store, role)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as client:
            body = (await client.post("/graphql", json=full)).json()
            typename = (await client.post("/graphql", json={"query": "{ __typename }"})).json()
            one_type = (
                await client.post("/graphql", json={"query": '{ __type(name: "Query") { name } }'})
            ).json()
        assert typename == {"data": {"__typename": "Query"}}
        if allowed:
            assert body["data"]["__schema"]["queryType"]["name"] == "Query"
            assert one_type == {"data": {"__type": {"name": "Query"}}}
        else:
            assert body["data"] is None
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            assert "introspection" in body["errors"][0]["message"]
            assert one_type["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_an_unknown_role_in_introspection_off_stops_the_server_at_start() -> None:
    with pytest.raises(Exception, match="unknown role 'analysts'"):
        create_app(Settings(introspection_off="analysts"))


async def test_every_request_is_one_structured_log_line(
    store: GraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="graph_crm.access")
    async with asgi_client(store, Role.ANALYST) as client:
        key_id = client.headers["authorization"].split("_")[1]
        started = time.time()
        await client.post(
            "/graphql", json={"query": "query Mine { schemaVersion entityTypes { name } }"}
        )
        await client.post(
            "/graphql",
            json={"query": 'mutation W { defineEntityType(input: {name: "Z"}) { __typename } }'},
        )
        await client.post("/graphql", json=QUERY, headers={"authorization": "Bearer gcrm_x_y"})
        await client.post("/graphql", content=b"{", headers={"content-type": "application/json"})
    lines: list[dict[str, Any]] = [
        json.loads(r.getMessage()) for r in caplog.records if r.name == "graph_crm.access"
    ]
    assert [(line["status"], line["code"]) for line in lines] == [
        (200, None),
        (200, "FORBIDDEN"),
        (401, "UNAUTHENTICATED"),
        (400, "BAD_REQUEST"),
    ]
    ok, forbidden, anonymous, broken = lines
    assert ok["key"] == key_id
    assert ok["role"] == "analyst"
    assert ok["operation"] == "Mine"
    assert ok["fields"] == ["schemaVersion", "entityTypes"]
    assert forbidden["fields"] == ["defineEntityType"]
    assert anonymous["key"] == "anonymous"
    assert broken["key"] == key_id
    for line in lines:
        assert line["client"] == "127.0.0.1"
        assert line["path"] == "/graphql"
        assert line["ms"] >= 0
        assert line["at"] >= time.strftime("%Y-%m-%d", time.gmtime(started))


async def test_the_same_field_over_and_over_is_refused_before_validation_compares_it(
    store: GraphStore,
) -> None:
    """Checking that repeated fields merge compares them pairwise, level by level: 400
    copies of one small selection cost graphql-core ~0.8 s of the event loop."""
    async with asgi_client(store, Role.ANALYST) as client:
        many = "{ " + "entityTypes { name } " * 400 + "}"
        body = (await client.post("/graphql", json={"query": many})).json()
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert error["extensions"]["overlap"] == 400 * 400 * 2
        # nested repeats multiply: 3 copies at each of 6 levels
        nested = "name"
        for field in ("fields", "type", "fields", "type", "fields", "types"):
            nested = " ".join([f"{field} {{ {nested} }}"] * 3)
        body = (
            await client.post("/graphql", json={"query": f"{{ __schema {{ {nested} }} }}"})
        ).json()
        assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
        # a few repeats, as overlapping fragments make them, are fine
        few = "{ " + "entityTypes { name } " * 3 + "}"
        assert (await client.post("/graphql", json={"query": few})).json() == {
            "data": {"entityTypes": []}
        }
