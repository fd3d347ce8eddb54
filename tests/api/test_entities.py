"""Entities through GraphQL: upsert, lookup, pages, links, deletes, and failures as data."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.api.graphql import (
    DELETE,
    ENTITIES,
    ENTITY,
    LINK,
    UNLINK,
    UPSERT,
    data,
    define_crm,
    load_chain,
    mutate,
    post,
    succeed,
)

SNAPSHOT = """
query Snapshot {
  customers: entities(type: "Customer", first: 500) {
    totalCount
    edges { node { id properties updatedAt } }
  }
  subsidiaries: entities(type: "Subsidiary", first: 500) {
    totalCount
    edges { node { id properties } }
  }
  graph: traverse(from: ["Customer:ACME", "Customer:BETA"], steps: [{relation: "HAS_SUBSIDIARY"}]) {
    reached { id }
  }
}"""


async def snapshot(client: httpx.AsyncClient) -> dict[str, Any]:
    return await data(client, SNAPSHOT)


async def test_upsert_chinese_names_and_read_by_id(client: httpx.AsyncClient) -> None:
    await define_crm(client)
    record = {
        "key": "SH-ACME",
        "name": "上海阿克米贸易有限公司",
        "tier": "GOLD",
        "since": "2019-03-01",
        "lastContact": "2026-11-20T08:30:00+08:00",
        "tags": {"区域": ["华东"]},
    }
    written = await succeed(client, UPSERT, "upsertEntities", type="Customer", records=[record])
    assert (written["created"], written["updated"], written["unchanged"]) == (1, 0, 0)
    again = await succeed(client, UPSERT, "upsertEntities", type="Customer", records=[record])
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)

    entity = (await data(client, ENTITY, id="Customer:SH-ACME"))["entity"]
    assert entity["id"] == "Customer:SH-ACME"
    assert (entity["type"], entity["key"]) == ("Customer", "SH-ACME")
    assert entity["properties"] == {
        "name": "上海阿克米贸易有限公司",
        "tier": "GOLD",
        "since": "2019-03-01",
        "lastContact": "2026-11-20T00:30:00.000000Z",
        "tags": {"区域": ["华东"]},
        "active": True,
    }
    assert entity["createdAt"] == entity["updatedAt"]
    # Timestamps are written as everywhere else: UTC, microseconds, "Z".
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", entity["createdAt"])
    assert (await data(client, ENTITY, id="Customer:NOPE"))["entity"] is None
    assert (await data(client, ENTITY, id="Ghost:X"))["entity"] is None


async def test_entities_filter_order_and_pages(client: httpx.AsyncClient) -> None:
    await load_chain(client)
    gold = (
        await data(
            client,
            ENTITIES,
            type="Customer",
            where={"tier": {"eq": "GOLD"}},
            orderBy=[{"field": "name", "direction": "DESC"}],
            first=10,
        )
    )["entities"]
    assert gold["totalCount"] == 2
    assert [e["node"]["id"] for e in gold["edges"]] == ["Customer:ACME", "Customer:ACME-HOLD"]
    assert gold["pageInfo"] == {"hasNextPage": False, "endCursor": gold["edges"][-1]["cursor"]}

    chinese = (
        await data(
            client, ENTITIES, type="Subsidiary", where={"name": {"startsWith": "阿克米"}}, first=5
        )
    )["entities"]
    assert [e["node"]["properties"]["name"] for e in chinese["edges"]] == ["阿克米上海"]

    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = (
            await data(
                client,
                ENTITIES,
                type="ChatLog",
                orderBy=[{"field": "at", "direction": "DESC"}],
                first=3,
                after=after,
            )
        )["entities"]
        pages += 1
        assert page["totalCount"] == 4
        seen += [e["node"]["key"] for e in page["edges"]]
        if page["edges"]:
            assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert (seen, pages) == (["L4", "L3", "L1", "L2"], 2)

    # Each edge's cursor resumes right after that edge.
    first_page = (await data(client, ENTITIES, type="Buyer", first=3))["entities"]
    resumed = (
        await data(client, ENTITIES, type="Buyer", first=3, after=first_page["edges"][0]["cursor"])
    )["entities"]
    assert [e["node"]["key"] for e in resumed["edges"]] == ["B2", "B3"]


@pytest.mark.parametrize(
    ("variables", "code", "input_path"),
    [
        ({"type": "Ghost"}, "UNKNOWN_TYPE", []),
        ({"type": "Customer", "where": {"nope": {"eq": 1}}}, "UNKNOWN_PROPERTY", ["where", "nope"]),
        (
            {"type": "Customer", "where": {"revenue": {"gte": "lots"}}},
            "INVALID_INPUT",
            ["where", "revenue", "gte"],
        ),
        ({"type": "Customer", "first": 5000}, "LIMIT_EXCEEDED", ["first"]),
        ({"type": "Customer", "after": "garbage"}, "INVALID_INPUT", ["after"]),
    ],
)
async def test_query_errors_carry_code_and_input_path(
    client: httpx.AsyncClient, variables: dict[str, Any], code: str, input_path: list[Any]
) -> None:
    await load_chain(client)
    body = await post(client, ENTITIES, **{"first": 10, **variables})
    assert body["data"] is None
    [error] = body["errors"]
    assert error["path"] == ["entities"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["inputPath"] == input_path
    assert error["extensions"]["issues"][0]["code"] == code
    for internal in ("Traceback", "SELECT", "MATCH", ".py"):
        assert internal not in str(body)


BAD_BATCHES: list[tuple[list[Any], str, list[str]]] = [
    (
        [{"key": "N1", "name": "ok"}, {"key": "N2", "revenue": "lots"}],
        "INVALID_INPUT",
        ["records", "1", "revenue"],
    ),
    (
        [{"key": "N1", "name": "ok", "planet": "Mars"}],
        "UNKNOWN_PROPERTY",
        ["records", "0", "planet"],
    ),
    ([{"key": "N1", "name": "ok"}, {"name": "no key"}], "INVALID_INPUT", ["records", "1", "key"]),
    ([{"key": "N1", "name": "ok"}, "not an object"], "INVALID_INPUT", ["records", "1"]),
    ([17, "text", ["a"]], "INVALID_INPUT", ["records", "0"]),
    ([{"key": "N1", "name": "x", "tier": "PLATINUM"}], "INVALID_INPUT", ["records", "0", "tier"]),
    (
        [{"key": "N1", "name": "`) DETACH DELETE n //", "tier": "GOLD`) DETACH DELETE n //"}],
        "INVALID_INPUT",
        ["records", "0", "tier"],
    ),
    (
        [{"key": "N1", "name": "x"}, {"key": "N1", "name": "y"}],
        "DUPLICATE_KEY",
        ["records", "1", "key"],
    ),
]


@pytest.mark.parametrize(("records", "code", "path"), BAD_BATCHES)
async def test_a_bad_row_is_an_error_with_its_path_and_writes_nothing(
    client: httpx.AsyncClient, records: list[Any], code: str, path: list[str]
) -> None:
    await load_chain(client)
    before = await snapshot(client)
    result = await mutate(client, UPSERT, "upsertEntities", type="Customer", records=records)
    assert result["__typename"] == "Error", result
    assert (code, path) in [(i["code"], i["path"]) for i in result["issues"]], result
    assert await snapshot(client) == before


async def test_duplicate_unique_value_and_unknown_type(client: httpx.AsyncClient) -> None:
    await load_chain(client)
    before = await snapshot(client)
    duplicate = await mutate(
        client,
        UPSERT,
        "upsertEntities",
        type="Customer",
        records=[
            {"key": "NEW", "name": "New Co"},
            {"key": "OTHER", "name": "Other", "email": "ops@acme.cn"},
        ],
    )
    assert duplicate["__typename"] == "Error"
    assert duplicate["code"] == "UNIQUE_VIOLATION", duplicate
    assert duplicate["path"] == ["records", "1", "email"], duplicate
    assert "Customer:ACME" in duplicate["message"]
    unknown = await mutate(
        client,
        UPSERT,
        "upsertEntities",
        type="Customer`) DETACH DELETE n //",
        records=[{"key": "X"}],
    )
    assert unknown["__typename"] == "Error"
    assert unknown["code"] in ("UNKNOWN_TYPE", "INVALID_NAME"), unknown
    assert await snapshot(client) == before


async def test_non_json_records_are_refused_before_anything_runs(
    client: httpx.AsyncClient,
) -> None:
    await load_chain(client)
    before = await snapshot(client)
    broken = await client.post(
        "/graphql",
        content=b'{"query": "mutation { upsertEntities(type: \\"Customer\\", records: [{key: ',
        headers={"content-type": "application/json"},
    )
    assert broken.status_code == 400
    assert broken.json()["error"]["code"] == "BAD_REQUEST"
    literal = await post(
        client,
        'mutation { upsertEntities(type: "Customer", records: [{key: "X", name: $undefined}]) '
        "{ __typename } }",
    )
    assert literal["errors"]
    assert literal.get("data") is None
    assert await snapshot(client) == before


async def test_link_unlink_and_delete(client: httpx.AsyncClient) -> None:
    await load_chain(client)
    relinked = await succeed(
        client,
        LINK,
        "linkEntities",
        relation="HAS_SUBSIDIARY",
        links=[
            {"from": "ACME", "to": "ACME-SH", "properties": {"share": 1.0}},
            {"from": "Customer:ACME", "to": "ACME-DE", "properties": {"share": 0.75}},
            {"from": "BETA", "to": "ACME-DE"},
        ],
    )
    assert (relinked["created"], relinked["updated"], relinked["unchanged"]) == (1, 1, 1)

    before = await snapshot(client)
    for links, code, path in [
        ([{"from": "ACME", "to": "GHOST"}], "NOT_FOUND", None),
        ([{"from": "Buyer:B1", "to": "ACME-SH"}], "INVALID_INPUT", ["links", "0", "from"]),
        (
            [{"from": "ACME", "to": "ACME-SH", "properties": {"share": "all"}}],
            "INVALID_INPUT",
            ["links", "0", "properties", "share"],
        ),
    ]:
        failed = await mutate(client, LINK, "linkEntities", relation="HAS_SUBSIDIARY", links=links)
        assert failed["__typename"] == "Error", failed
        assert failed["code"] == code, failed
        if path is not None:
            assert path in [issue["path"] for issue in failed["issues"]], failed
    hostile = await mutate(
        client,
        LINK,
        "linkEntities",
        relation="X`]->() DETACH DELETE n //",
        links=[{"from": "a", "to": "b"}],
    )
    assert hostile["__typename"] == "Error"
    assert await snapshot(client) == before

    unlinked = await succeed(
        client,
        UNLINK,
        "unlinkEntities",
        relation="HAS_SUBSIDIARY",
        links=[{"from": "BETA", "to": "ACME-DE"}, {"from": "BETA", "to": "ACME-SH"}],
    )
    assert unlinked["removed"] == 1
    with_properties = await mutate(
        client,
        UNLINK,
        "unlinkEntities",
        relation="HAS_SUBSIDIARY",
        links=[{"from": "ACME", "to": "ACME-SH", "properties": {"share": 1.0}}],
    )
    assert with_properties["__typename"] == "Error"

    deleted = await succeed(
        client, DELETE, "deleteEntities", ids=["Subsidiary:ACME-DE", "Subsidiary:NOPE"]
    )
    assert (deleted["entities"], deleted["relations"]) == (1, 2)
    assert (await data(client, ENTITY, id="Subsidiary:ACME-DE"))["entity"] is None
    bad_id = await mutate(client, DELETE, "deleteEntities", ids=["no-type-here"])
    assert bad_id["__typename"] == "Error"
    assert bad_id["code"] == "INVALID_INPUT"
    reached = (await snapshot(client))["graph"]["reached"]
    assert [e["id"] for e in reached] == ["Subsidiary:ACME-SH", "Subsidiary:BETA-AT"]
