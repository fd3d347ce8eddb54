"""The explorer's reads over HTTP: Entity.relationCounts and Entity.neighbors (pages by
cursor, one store call per field however many entities ask, hostile input refused before
the store, priced by the cost estimate)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.counting_store import CountingStore
from tests.api.graphql import data, post
from tests.contract.crm import load_chain
from tests.store_fixtures import Loaded

COUNTS = """
query Counts($id: ID!) {
  entity(id: $id) { id relationCounts { relation direction otherType count } }
}"""
NEIGHBORS = """
query Near($id: ID!, $relation: String!, $direction: Direction!, $first: Int!, $after: String) {
  entity(id: $id) {
    neighbors(relation: $relation, direction: $direction, first: $first, after: $after) {
      edges { cursor node { id type properties } properties createdAt updatedAt }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""
#: A console's expansion of every customer at once: one store call per field.
EXPAND_ALL = """
{
  entities(type: "Customer", first: 10) {
    edges { node {
      key
      relationCounts { relation direction count }
      neighbors(relation: "HAS_SUBSIDIARY", direction: OUT, first: 5) {
        edges { node {
          key
          neighbors(relation: "EMPLOYS", direction: OUT) { edges { node { key } } }
        } }
      }
    } }
  }
}"""


async def near(client: Any, gid: str, relation: str, direction: str, **page: Any) -> Any:
    answer = await data(
        client,
        NEIGHBORS,
        id=gid,
        relation=relation,
        direction=direction,
        first=page.get("first", 25),
        after=page.get("after"),
    )
    return answer["entity"]["neighbors"]


async def test_counts_name_every_relation_type_of_the_type_both_ways(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    async with asgi_client(store, Role.ANALYST) as analyst:
        acme = (await data(analyst, COUNTS, id="Customer:ACME"))["entity"]["relationCounts"]
        globex = (await data(analyst, COUNTS, id="Competitor:GLOBEX"))["entity"]
        buyer = (await data(analyst, COUNTS, id="Buyer:B2"))["entity"]["relationCounts"]
    assert acme == [
        {"relation": "HAS_SUBSIDIARY", "direction": "OUT", "otherType": "Subsidiary", "count": 2},
        {"relation": "PARENT_OF", "direction": "OUT", "otherType": "Customer", "count": 0},
        {"relation": "PARENT_OF", "direction": "IN", "otherType": "Customer", "count": 1},
    ]
    assert globex["relationCounts"] == [
        {"relation": "MENTIONS", "direction": "IN", "otherType": "ChatLog", "count": 2}
    ]
    assert [(c["relation"], c["direction"], c["count"]) for c in buyer] == [
        ("EMPLOYS", "IN", 1),
        ("WROTE", "OUT", 2),
    ]


async def test_neighbors_page_by_cursor_with_the_relations_properties(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    async with asgi_client(store, Role.ANALYST) as analyst:
        first = await near(analyst, "Customer:ACME", "HAS_SUBSIDIARY", "OUT", first=1)
        [german] = first["edges"]
        assert german["node"]["id"] == "Subsidiary:ACME-DE"
        assert german["node"]["properties"] == {"name": "ACME Deutschland", "country": "DE"}
        assert german["properties"] == {"share": 0.51}
        assert german["createdAt"].endswith("Z")
        assert first["pageInfo"] == {"hasNextPage": True, "endCursor": german["cursor"]}

        second = await near(
            analyst, "Customer:ACME", "HAS_SUBSIDIARY", "OUT", first=1, after=german["cursor"]
        )
        assert [e["node"]["id"] for e in second["edges"]] == ["Subsidiary:ACME-SH"]
        assert second["pageInfo"]["hasNextPage"] is False
        last = second["pageInfo"]["endCursor"]
        empty = await near(analyst, "Customer:ACME", "HAS_SUBSIDIARY", "OUT", after=last)
        assert empty == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}

        back = await near(analyst, "Competitor:GLOBEX", "MENTIONS", "IN")
        assert [(e["node"]["id"], e["properties"]) for e in back["edges"]] == [
            ("ChatLog:L1", {"sentiment": "NEGATIVE"}),
            ("ChatLog:L3", {}),
        ]
        up = await near(analyst, "Customer:ACME", "PARENT_OF", "IN")
        assert [e["node"]["id"] for e in up["edges"]] == ["Customer:ACME-HOLD"]
        assert (await near(analyst, "Customer:ACME", "PARENT_OF", "OUT"))["edges"] == []


async def test_every_entity_of_a_response_shares_one_store_call_per_field(
    loaded: Loaded,
) -> None:
    store = await loaded(load_chain)
    counting = CountingStore(store)
    async with asgi_client(counting, Role.ANALYST) as analyst:
        answer = await data(analyst, EXPAND_ALL)
    nodes = {e["node"]["key"]: e["node"] for e in answer["entities"]["edges"]}
    assert list(nodes) == ["ACME", "ACME-HOLD", "BETA"]
    assert [c["count"] for c in nodes["BETA"]["relationCounts"]] == [1, 0, 0]
    subsidiaries = nodes["ACME"]["neighbors"]["edges"]
    assert [[b["node"]["key"] for b in s["node"]["neighbors"]["edges"]] for s in subsidiaries] == [
        ["B2"],
        ["B1"],
    ]
    # the key with the registry (one read), the degree statistics that price the
    # neighbour pages (cached per store for 30 s), the page; then one call per field for
    # all 3 customers (relation counts, subsidiaries) and one for their subsidiaries
    assert counting.calls == Counter(
        {
            "add_api_key": 1,
            "api_key_and_registry": 1,
            "degree_stats": 1,
            "list_entities": 1,
            "relation_counts": 1,
            "neighbors": 2,
        }
    )


BAD_CURSORS = ["not-a-cursor", "", "e30", "x" * 5_000, "eyJvIjoiMDAwMDAwMDAwMDAwIiwidiI6WzFdfQ"]


@pytest.mark.parametrize("after", BAD_CURSORS)
async def test_a_bad_or_foreign_cursor_is_refused_at_after(loaded: Loaded, after: str) -> None:
    store = await loaded(load_chain)
    async with asgi_client(store, Role.ANALYST) as analyst:
        # a real cursor of another relation is foreign here too
        other = await near(analyst, "Competitor:GLOBEX", "MENTIONS", "IN", first=1)
        for cursor in (after, other["pageInfo"]["endCursor"]):
            body = await post(
                analyst,
                NEIGHBORS,
                id="Customer:ACME",
                relation="HAS_SUBSIDIARY",
                direction="OUT",
                first=1,
                after=cursor,
            )
            [error] = body["errors"]
            assert error["path"] == ["entity", "neighbors"]
            assert (error["extensions"]["code"], error["extensions"]["inputPath"]) == (
                "INVALID_INPUT",
                ["after"],
            )


HOSTILE_RELATIONS = [
    ("'; DROP TABLE relations; --", "UNKNOWN_TYPE", ["relation"]),
    ("HAS_SUBSIDIARY`]->(n) DETACH DELETE n //", "UNKNOWN_TYPE", ["relation"]),
    ("} MATCH (n) DETACH DELETE n //", "UNKNOWN_TYPE", ["relation"]),
    ("has_subsidiary", "UNKNOWN_TYPE", ["relation"]),
    ("x" * 100_000, "UNKNOWN_TYPE", ["relation"]),
    ("", "UNKNOWN_TYPE", ["relation"]),
    ("MENTIONS", "INVALID_INPUT", ["relation"]),  # starts at ChatLog, not Customer
]


@pytest.mark.parametrize(("relation", "code", "input_path"), HOSTILE_RELATIONS)
async def test_a_hostile_relation_is_refused_before_the_store_is_asked(
    loaded: Loaded, relation: str, code: str, input_path: list[str]
) -> None:
    store = await loaded(load_chain)
    counting = CountingStore(store)
    async with asgi_client(counting, Role.ANALYST) as analyst:
        body = await post(
            analyst, NEIGHBORS, id="Customer:ACME", relation=relation, direction="OUT", first=5
        )
    [error] = body["errors"]
    assert error["path"] == ["entity", "neighbors"]
    assert (error["extensions"]["code"], error["extensions"]["inputPath"]) == (code, input_path)
    assert len(error["message"]) < 300
    assert counting.calls["neighbors"] == 0


@pytest.mark.parametrize(
    ("direction", "first", "code", "input_path"),
    [
        ("BOTH", 5, "INVALID_INPUT", ["direction"]),
        ("OUT", 0, "LIMIT_EXCEEDED", ["first"]),
        ("OUT", -1, "LIMIT_EXCEEDED", ["first"]),
        ("OUT", 101, "LIMIT_EXCEEDED", ["first"]),
    ],
)
async def test_direction_and_first_are_bounded(
    loaded: Loaded, direction: str, first: int, code: str, input_path: list[str]
) -> None:
    store = await loaded(load_chain)
    async with asgi_client(store, Role.ANALYST) as analyst:
        body = await post(
            analyst,
            NEIGHBORS,
            id="Customer:ACME",
            relation="HAS_SUBSIDIARY",
            direction=direction,
            first=first,
        )
    [error] = body["errors"]
    assert (error["extensions"]["code"], error["extensions"]["inputPath"]) == (code, input_path)


async def test_an_expansion_too_big_to_answer_is_refused_before_it_runs(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    wide = """
    {
      entities(type: "Customer", first: 500) { edges { node {
        neighbors(relation: "HAS_SUBSIDIARY", direction: OUT, first: 100) { edges { node {
          neighbors(relation: "EMPLOYS", direction: OUT, first: 100) { edges { node { id } } }
        } } }
      } } }
    }"""
    counting = CountingStore(store)
    async with asgi_client(counting, Role.ANALYST) as analyst:
        body = await post(analyst, wide)
        fits = await post(analyst, wide.replace("first: 500", "first: 5"))
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["objects"] > 250_000
    assert "errors" not in fits
    # only the second one ran: one page, two neighbour levels
    assert (counting.calls["list_entities"], counting.calls["neighbors"]) == (1, 2)


async def test_callers_without_a_live_key_are_refused_and_every_role_may_read(
    store: GraphStore,
) -> None:
    await load_chain(store)
    query = {"query": COUNTS, "variables": {"id": "Customer:ACME"}}
    async with asgi_client(store, None) as anonymous:
        refused = await anonymous.post("/graphql", json=query)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
    for role in Role:  # reading is every role's right (docs/security.md#roles)
        async with asgi_client(store, role) as client:
            answer = await data(client, COUNTS, id="Customer:ACME")
        assert len(answer["entity"]["relationCounts"]) == 3
