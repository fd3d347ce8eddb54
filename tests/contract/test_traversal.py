"""Traversal: typed steps, directions, depth, filters, paths."""

from __future__ import annotations

import pytest

from graph_crm.errors import InvalidInput, LimitExceeded, UnknownType
from graph_crm.model.traversal import Direction
from graph_crm.store.base import GraphStore
from tests.contract.crm import CHAIN, load_chain
from tests.store_fixtures import Loaded


async def test_five_entity_chain(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    result = await store.traverse(["Customer:ACME"], CHAIN)
    assert [e.id for e in result.reached] == ["Competitor:GLOBEX", "Competitor:INITECH"]
    assert result.reached[0].properties == {"name": "Globex"}
    assert not result.truncated
    globex = result.paths["Competitor:GLOBEX"]
    assert [p.entity_ids for p in globex] == [
        ("Customer:ACME", "Subsidiary:ACME-DE", "Buyer:B2", "ChatLog:L3", "Competitor:GLOBEX"),
        ("Customer:ACME", "Subsidiary:ACME-SH", "Buyer:B1", "ChatLog:L1", "Competitor:GLOBEX"),
    ]
    assert [h.relation for h in globex[0].hops] == [
        "HAS_SUBSIDIARY",
        "EMPLOYS",
        "WROTE",
        "MENTIONS",
    ]
    assert {h.direction for h in globex[0].hops} == {Direction.OUT}
    one_path = await store.traverse(["Customer:ACME"], CHAIN, paths_per_target=1)
    assert len(one_path.paths["Competitor:GLOBEX"]) == 1


async def test_filters_on_the_way(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    recent = [
        *CHAIN[:2],
        {"relation": "WROTE", "where": {"at": {"gte": "2026-08-24T00:00:00Z"}}},
        CHAIN[3],
    ]
    result = await store.traverse(["Customer:ACME"], recent)
    assert [e.id for e in result.reached] == ["Competitor:GLOBEX"]
    german = [{"relation": "HAS_SUBSIDIARY", "where": {"country": {"eq": "DE"}}}, *CHAIN[1:]]
    result = await store.traverse(["Customer:ACME", "Customer:BETA"], german)
    assert [e.id for e in result.reached] == ["Competitor:GLOBEX", "Competitor:INITECH"]
    assert [p.entity_ids[1] for p in result.paths["Competitor:GLOBEX"]] == ["Subsidiary:ACME-DE"]


async def test_directions(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    back = [
        {"relation": "MENTIONS", "direction": "IN"},
        {"relation": "WROTE", "direction": "IN"},
        {"relation": "EMPLOYS", "direction": "IN"},
        {"relation": "HAS_SUBSIDIARY", "direction": "IN"},
    ]
    result = await store.traverse(["Competitor:GLOBEX"], back)
    assert [e.id for e in result.reached] == ["Customer:ACME"]
    assert {h.direction for p in result.paths["Customer:ACME"] for h in p.hops} == {Direction.IN}
    both = await store.traverse(["Customer:ACME"], [{"relation": "PARENT_OF", "direction": "BOTH"}])
    assert [e.id for e in both.reached] == ["Customer:ACME-HOLD"]
    assert both.paths["Customer:ACME-HOLD"][0].hops[0].direction is Direction.IN
    # competitors mentioned by the same buyers' colleagues: out and back again
    round_trip = await store.traverse(
        ["Competitor:INITECH"],
        [
            {"relation": "MENTIONS", "direction": "IN"},
            {"relation": "WROTE", "direction": "IN"},
            {"relation": "WROTE"},
            {"relation": "MENTIONS"},
        ],
    )
    assert [e.id for e in round_trip.reached] == ["Competitor:GLOBEX"]


async def test_repeated_steps_and_depth(store: GraphStore) -> None:
    await load_chain(store)
    await store.upsert_entities(
        "Customer", [{"key": f"L{i}", "name": f"level {i}"} for i in range(1, 6)]
    )
    await store.link(
        "PARENT_OF",
        [
            {"from": "ACME", "to": "L1"},
            *[{"from": f"L{i}", "to": f"L{i + 1}"} for i in range(1, 5)],
        ],
    )
    down = {"relation": "PARENT_OF", "minHops": 1, "maxHops": None}
    result = await store.traverse(["Customer:ACME-HOLD"], [down], max_depth=3)
    assert [e.id for e in result.reached] == ["Customer:ACME", "Customer:L1", "Customer:L2"]
    assert result.paths["Customer:L2"][0].length == 3
    deeper = await store.traverse(["Customer:ACME-HOLD"], [down], max_depth=12)
    assert len(deeper.reached) == 6
    exact = await store.traverse(
        ["Customer:ACME-HOLD"], [{"relation": "PARENT_OF", "minHops": 2, "maxHops": 3}]
    )
    assert [e.id for e in exact.reached] == ["Customer:L1", "Customer:L2"]
    filtered = await store.traverse(
        ["Customer:ACME-HOLD"], [{**down, "where": {"name": {"startsWith": "level"}}}]
    )
    assert filtered.reached == []  # ACME itself fails the filter, so nothing beyond it
    then_subsidiaries = await store.traverse(
        ["Customer:L3"],
        [
            {"relation": "PARENT_OF", "direction": "IN", "maxHops": None},
            {"relation": "HAS_SUBSIDIARY"},
        ],
        max_depth=5,
    )
    assert [e.id for e in then_subsidiaries.reached] == ["Subsidiary:ACME-DE", "Subsidiary:ACME-SH"]
    limited = await store.traverse(["Customer:ACME-HOLD"], [down], limit=2)
    assert limited.truncated
    assert len(limited.reached) == 2


async def test_bad_traversals(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    with pytest.raises(InvalidInput, match="goes from Subsidiary to Buyer"):
        await store.traverse(["Customer:ACME"], [{"relation": "EMPLOYS"}])
    with pytest.raises(InvalidInput, match="itself"):
        await store.traverse(["Customer:ACME"], [{"relation": "HAS_SUBSIDIARY", "maxHops": 2}])
    with pytest.raises(UnknownType):
        await store.traverse(["Customer:ACME"], [{"relation": "NOPE"}])
    with pytest.raises(InvalidInput, match="maxDepth"):
        await store.traverse(["Customer:ACME"], CHAIN, max_depth=3)
    with pytest.raises(InvalidInput):
        await store.traverse(["Customer:ACME"], CHAIN, max_depth=99)
    with pytest.raises(InvalidInput):
        await store.traverse(["Customer:ACME"], [])
    with pytest.raises(InvalidInput):
        await store.traverse([], CHAIN)
    with pytest.raises(InvalidInput):
        await store.traverse(
            ["Customer:ACME"], [{"relation": "HAS_SUBSIDIARY", "direction": "SIDEWAYS"}]
        )
    with pytest.raises(InvalidInput):
        await store.traverse(
            ["Customer:ACME"], [{"relation": "HAS_SUBSIDIARY", "where": {"nope": {"eq": 1}}}]
        )
    with pytest.raises(LimitExceeded):
        await store.traverse(["Customer:ACME"], [CHAIN[0]] * 13)
    unknown_start = await store.traverse(["Customer:NOBODY"], CHAIN)
    assert unknown_start.reached == []
