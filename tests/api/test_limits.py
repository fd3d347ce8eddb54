"""Abusive requests get a clear error and change nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx

from graph_crm.api.limits import MAX_BODY_BYTES, MAX_DEPTH
from tests.api.graphql import load_chain, post

UPSERT = (
    'mutation($records: [JSON!]!) { upsertEntities(type: "Customer", records: $records)'
    " { __typename ... on Error { code path } } }"
)


async def _customers(client: httpx.AsyncClient) -> int:
    body = await post(client, '{ entities(type: "Customer") { totalCount } }')
    return int(body["data"]["entities"]["totalCount"])


async def test_oversized_body_is_refused(client: httpx.AsyncClient) -> None:
    await load_chain(client)
    before = await _customers(client)
    records = [{"key": "X", "name": "x" * (MAX_BODY_BYTES + 1)}]
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": UPSERT, "variables": {"records": records}}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await _customers(client) == before


async def test_a_huge_string_is_a_clear_error(client: httpx.AsyncClient) -> None:
    await load_chain(client)
    before = await _customers(client)
    body = await post(client, UPSERT, records=[{"key": "X", "name": "y" * 5_000_000}])
    assert body["data"]["upsertEntities"] == {
        "__typename": "Error",
        "code": "INVALID_INPUT",
        "path": ["records", "0", "name"],
    }
    assert await _customers(client) == before


async def test_deep_nesting_and_many_aliases_are_refused(client: httpx.AsyncClient) -> None:
    deep = "{ entityTypes " + "{ properties " * 10_000 + "{ name }" + " }" * 10_000 + " }"
    body = await post(client, deep)
    assert body.get("data") is None
    assert "nested too deeply" in body["errors"][0]["message"]
    long = "{ " + "schemaVersion " * 6_000 + "}"
    levels = MAX_DEPTH + 1
    nested = "{ entityTypes " + "{ name properties " * levels + "{ name }" + " }" * levels + " }"
    aliases = "{ " + " ".join(f"a{i}: schemaVersion" for i in range(40)) + " }"
    # Twice each: parsing and validation are cached, and the second time must fail alike.
    for _ in range(2):
        body = await post(client, long)
        assert "token" in body["errors"][0]["message"].lower()
        body = await post(client, nested)
        assert "depth" in body["errors"][0]["message"].lower()
        body = await post(client, aliases)
        assert "alias" in body["errors"][0]["message"].lower()
    assert (await post(client, "{ schemaVersion }"))["data"]["schemaVersion"] == 0


async def test_deeply_nested_json_values_are_refused(client: httpx.AsyncClient) -> None:
    await load_chain(client)
    before = await _customers(client)
    shallow: Any = "leaf"
    for _ in range(200):
        shallow = {"n": shallow}
    body = await post(client, UPSERT, records=[{"key": "X", "name": "ok", "tags": shallow}])
    assert body["data"]["upsertEntities"] == {
        "__typename": "Error",
        "code": "INVALID_INPUT",
        "path": ["records", "0", "tags"],
    }
    # 10,000 levels: built as text, since no JSON encoder nests that deep
    tags = '{"n":' * 10_000 + '"leaf"' + "}" * 10_000
    raw = (
        '{"query": ' + json.dumps(UPSERT) + ', "variables": {"records": [{"key": "X", '
        '"name": "ok", "tags": ' + tags + "}]}}"
    )
    response = await client.post(
        "/graphql", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "BAD_REQUEST"
    assert await _customers(client) == before
