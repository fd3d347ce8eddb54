"""Batched neighbour reads: one call per relation field and level, per batch of parents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from graph_crm.errors import GraphCrmError, InvalidInput, LimitExceeded, UnknownType
from graph_crm.model.graph import Neighbor
from graph_crm.model.traversal import Direction
from graph_crm.store.base import GraphStore
from tests.contract.crm import define_crm, load_chain
from tests.contract.snapshot import snapshot
from tests.store_fixtures import Loaded


def far_ids(batch: list[list[Neighbor]]) -> list[list[str]]:
    return [[neighbor.entity.id for neighbor in neighbors] for neighbors in batch]


async def test_out_in_self_relation_duplicates_and_absent_ids(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    ids = [
        "Customer:ACME",
        "Customer:BETA",
        "Customer:GHOST",
        "Customer:ACME",
        "Customer:ACME-HOLD",
    ]
    out = await store.neighbors("HAS_SUBSIDIARY", "OUT", ids)
    assert far_ids(out) == [
        ["Subsidiary:ACME-DE", "Subsidiary:ACME-SH"],
        ["Subsidiary:BETA-AT"],
        [],
        ["Subsidiary:ACME-DE", "Subsidiary:ACME-SH"],
        [],
    ]
    german = out[0][0]
    assert german.relation.type == "HAS_SUBSIDIARY"
    assert (german.relation.from_id, german.relation.to_id) == (
        "Customer:ACME",
        "Subsidiary:ACME-DE",
    )
    assert german.relation.properties == {"share": 0.51}
    assert isinstance(german.relation.created_at, datetime)
    assert german.relation.updated_at >= german.relation.created_at
    assert german.entity.properties == {"name": "ACME Deutschland", "country": "DE"}
    assert out[1][0].relation.properties == {}
    assert out[3] == out[0]
    assert out[3] is not out[0]  # each caller owns its list

    # a relation quantifier on the far entity composes with the batch's own pattern
    anna = {"EMPLOYS": {"some": {"name": {"eq": "Anna"}}}}
    pair = ["Customer:ACME", "Customer:BETA"]
    assert far_ids(await store.neighbors("HAS_SUBSIDIARY", "OUT", pair, where=anna)) == [
        ["Subsidiary:ACME-DE"],
        [],
    ]
    no_anna = {"EMPLOYS": {"none": {"name": {"eq": "Anna"}}}}
    assert far_ids(await store.neighbors("HAS_SUBSIDIARY", "OUT", pair, where=no_anna)) == [
        ["Subsidiary:ACME-SH"],
        ["Subsidiary:BETA-AT"],
    ]

    back = await store.neighbors("MENTIONS", Direction.IN, ["Competitor:GLOBEX", "Competitor:X"])
    assert far_ids(back) == [["ChatLog:L1", "ChatLog:L3"], []]
    assert [(n.relation.from_id, n.relation.to_id) for n in back[0]] == [
        ("ChatLog:L1", "Competitor:GLOBEX"),
        ("ChatLog:L3", "Competitor:GLOBEX"),
    ]
    assert [n.relation.properties for n in back[0]] == [{"sentiment": "NEGATIVE"}, {}]
    assert back[0][1].entity.properties["text"] == "Globex again"

    # a relation from a type to itself, both ways
    parents = ["Customer:ACME", "Customer:ACME-HOLD"]
    assert far_ids(await store.neighbors("PARENT_OF", "out", parents)) == [[], ["Customer:ACME"]]
    up = await store.neighbors("PARENT_OF", "IN", parents)
    assert far_ids(up) == [["Customer:ACME-HOLD"], []]
    assert (up[0][0].relation.from_id, up[0][0].relation.to_id) == (
        "Customer:ACME-HOLD",
        "Customer:ACME",
    )
    assert await store.neighbors("PARENT_OF", "IN", []) == []


async def test_where_order_and_first_apply_to_each_near_entity(store: GraphStore) -> None:
    await define_crm(store)
    await store.upsert_entities(
        "Customer", [{"key": "P1", "name": "P one"}, {"key": "P2", "name": "P two"}]
    )
    subsidiaries: list[dict[str, Any]] = [
        {"key": "S-A", "name": "x", "country": "DE"},
        {"key": "S-B", "name": "y"},
        {"key": "S-C", "name": "x", "country": "CN"},
        {"key": "S-D", "name": "x", "country": "DE"},
        {"key": "S-E", "name": "y"},
        {"key": "S-F", "name": "z", "country": "AT"},
    ]
    await store.upsert_entities("Subsidiary", subsidiaries)
    links: list[dict[str, Any]] = [
        {"from": "P1", "to": key} for key in ("S-E", "S-D", "S-C", "S-B", "S-A")
    ]
    links += [{"from": "P2", "to": key, "properties": {"share": 0.25}} for key in ("S-C", "S-E")]
    links.append({"from": "P2", "to": "S-F"})
    await store.link("HAS_SUBSIDIARY", links)
    both = ["Customer:P1", "Customer:P2"]

    async def read(**arguments: Any) -> list[list[str]]:
        found = await store.neighbors("HAS_SUBSIDIARY", "OUT", both, **arguments)
        return [[n.entity.key for n in neighbors] for neighbors in found]

    assert await read() == [["S-A", "S-B", "S-C", "S-D", "S-E"], ["S-C", "S-E", "S-F"]]
    assert await read(order_by="-key", first=3) == [["S-E", "S-D", "S-C"], ["S-F", "S-E", "S-C"]]
    # missing values last ascending, first descending; ties by key
    assert await read(order_by="country") == [
        ["S-C", "S-A", "S-D", "S-B", "S-E"],
        ["S-F", "S-C", "S-E"],
    ]
    assert await read(order_by=[{"field": "country", "direction": "DESC"}]) == [
        ["S-B", "S-E", "S-A", "S-D", "S-C"],
        ["S-E", "S-C", "S-F"],
    ]
    assert await read(order_by=["name", "-country"]) == [
        ["S-A", "S-D", "S-C", "S-B", "S-E"],
        ["S-C", "S-E", "S-F"],
    ]
    # first cuts each parent's list, not the batch
    assert await read(order_by="-country", first=2) == [["S-B", "S-E"], ["S-E", "S-C"]]
    assert await read(first=1) == [["S-A"], ["S-C"]]
    # ne never matches a missing value (three-valued, as list_entities)
    assert await read(where={"country": {"ne": "CN"}}, order_by="-country", first=2) == [
        ["S-A", "S-D"],
        ["S-F"],
    ]
    assert await read(
        where={"or": [{"country": {"isNull": True}}, {"name": {"eq": "z"}}]}, order_by="-key"
    ) == [["S-E", "S-B"], ["S-F", "S-E"]]
    shares = await store.neighbors("HAS_SUBSIDIARY", "OUT", ["Customer:P2"])
    assert [n.relation.properties for n in shares[0]] == [{"share": 0.25}, {"share": 0.25}, {}]

    owners = await store.neighbors(
        "HAS_SUBSIDIARY",
        "IN",
        ["Subsidiary:S-C", "Subsidiary:S-F", "Subsidiary:S-A"],
        where={"name": {"startsWith": "P"}},
        order_by="-name",
    )
    assert far_ids(owners) == [
        ["Customer:P2", "Customer:P1"],
        ["Customer:P2"],
        ["Customer:P1"],
    ]


async def test_a_large_batch_keeps_each_near_entity_apart(store: GraphStore) -> None:
    await define_crm(store)
    customers = [f"C{i:03}" for i in range(150)]
    await store.upsert_entities("Customer", [{"key": key, "name": key} for key in customers])
    await store.upsert_entities(
        "Subsidiary", [{"key": f"S{j}", "name": f"S{j}"} for j in range(10)]
    )
    expected: dict[str, list[str]] = {}
    for i, key in enumerate(customers):
        # every fifth customer has no subsidiary at all
        expected[key] = [] if i % 5 == 0 else sorted(f"S{(i + d) % 10}" for d in (0, 3, 7))
    await store.link(
        "HAS_SUBSIDIARY",
        [{"from": key, "to": sub} for key, subs in expected.items() for sub in subs],
    )
    asked = [f"Customer:{key}" for key in reversed(customers)]
    asked[40:40] = ["Customer:GHOST", "Customer:C007"]
    found = await store.neighbors("HAS_SUBSIDIARY", "OUT", asked, first=2)
    assert len(found) == len(asked)
    for gid, neighbors in zip(asked, found, strict=True):
        key = gid.split(":", 1)[1]
        assert [n.entity.key for n in neighbors] == expected.get(key, [])[:2], gid
        assert all(n.relation.from_id == gid for n in neighbors)

    owners = await store.neighbors(
        "HAS_SUBSIDIARY", "IN", [f"Subsidiary:S{j}" for j in range(10)], first=1_000
    )
    for j, neighbors in enumerate(owners):
        assert [n.entity.key for n in neighbors] == sorted(
            key for key, subs in expected.items() if f"S{j}" in subs
        )


BAD_CALLS: list[tuple[dict[str, Any], type[GraphCrmError], tuple[Any, ...]]] = [
    ({"relation_type": "NOPE"}, UnknownType, ("relationType",)),
    ({"relation_type": "X`]-() DETACH DELETE n //"}, UnknownType, ("relationType",)),
    (
        {"relation_type": "HAS_SUBSIDIARY\nMATCH (n) DETACH DELETE n"},
        UnknownType,
        ("relationType",),
    ),
    ({"direction": "BOTH"}, InvalidInput, ("direction",)),
    ({"direction": "SIDEWAYS"}, InvalidInput, ("direction",)),
    ({"ids": ["Customer:ACME", "Subsidiary:ACME-SH"]}, InvalidInput, ("ids", 1)),
    ({"direction": "IN"}, InvalidInput, ("ids", 0)),
    ({"ids": ["ACME"]}, InvalidInput, ("ids", 0)),
    ({"ids": ["Customer:"]}, InvalidInput, ("ids", 0)),
    ({"ids": ["Customer`) DETACH DELETE n //:x"]}, InvalidInput, ("ids", 0)),
    ({"ids": "Customer:ACME"}, InvalidInput, ("ids",)),
    ({"where": {"share": {"gt": 0.1}}}, InvalidInput, ("where", "share")),
    ({"where": {"country": {"bogus": "DE"}}}, InvalidInput, ("where", "country", "bogus")),
    ({"where": {"n.name) DETACH DELETE n //": {"eq": 1}}}, InvalidInput, ("where",)),
    ({"order_by": ["country", "tier"]}, InvalidInput, ("orderBy", 1)),
    ({"first": 0}, InvalidInput, ("first",)),
    ({"first": True}, InvalidInput, ("first",)),
    ({"first": 1_001}, LimitExceeded, ("first",)),
]


async def test_bad_reads_are_refused_before_they_run(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    before = await snapshot(store)
    for overrides, error, path in BAD_CALLS:
        call: dict[str, Any] = {
            "relation_type": "HAS_SUBSIDIARY",
            "direction": "OUT",
            "ids": ["Customer:ACME"],
            **overrides,
        }
        with pytest.raises(error) as caught:
            await store.neighbors(
                call.pop("relation_type"), call.pop("direction"), call.pop("ids"), **call
            )
        assert caught.value.path[: len(path)] == path, overrides
    assert await snapshot(store) == before
