"""Relation counts: every relation type touching an entity's type, both ways, zeros too."""

from __future__ import annotations

import pytest

from graph_crm.errors import GraphCrmError, InvalidInput, LimitExceeded, UnknownType
from graph_crm.model.records import MAX_BATCH
from graph_crm.model.relation_counts import RelationCount
from graph_crm.store.base import GraphStore
from tests.contract.crm import load_chain
from tests.contract.snapshot import snapshot
from tests.store_fixtures import Loaded


def table(counts: list[RelationCount]) -> list[tuple[str, str, str, int]]:
    return [(c.relation, c.direction.value, c.other_type, c.count) for c in counts]


async def test_each_entity_gets_every_slot_of_its_type_in_one_call(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    ids = ["Customer:ACME", "Customer:ACME-HOLD", "Competitor:GLOBEX", "Customer:GHOST"]
    acme, hold, globex, ghost = await store.relation_counts(ids)
    assert table(acme) == [
        ("HAS_SUBSIDIARY", "OUT", "Subsidiary", 2),
        ("PARENT_OF", "OUT", "Customer", 0),
        ("PARENT_OF", "IN", "Customer", 1),
    ]
    assert table(hold) == [
        ("HAS_SUBSIDIARY", "OUT", "Subsidiary", 0),
        ("PARENT_OF", "OUT", "Customer", 1),
        ("PARENT_OF", "IN", "Customer", 0),
    ]
    assert table(globex) == [("MENTIONS", "IN", "ChatLog", 2)]
    assert ghost == []


async def test_duplicates_keep_their_places_and_an_empty_batch_is_empty(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    twice = await store.relation_counts(["Buyer:B2", "ChatLog:L4", "Buyer:B2"])
    assert table(twice[0]) == [("EMPLOYS", "IN", "Subsidiary", 1), ("WROTE", "OUT", "ChatLog", 2)]
    assert table(twice[1]) == [("MENTIONS", "OUT", "Competitor", 1), ("WROTE", "IN", "Buyer", 1)]
    assert twice[2] == twice[0]
    assert twice[2] is not twice[0]
    assert await store.relation_counts([]) == []


async def test_counts_follow_links_and_unlinks(store: GraphStore) -> None:
    await load_chain(store)
    await store.link("PARENT_OF", [{"from": "ACME", "to": "BETA"}])
    await store.unlink("HAS_SUBSIDIARY", [{"from": "ACME", "to": "ACME-SH"}])
    [acme] = await store.relation_counts(["Customer:ACME"])
    assert [c.count for c in acme] == [1, 1, 1]
    await store.delete_entities(["Customer:ACME-HOLD"])
    [acme] = await store.relation_counts(["Customer:ACME"])
    assert [c.count for c in acme] == [1, 1, 0]


BAD_IDS: list[tuple[object, type[GraphCrmError], tuple[object, ...]]] = [
    ("Customer:ACME", InvalidInput, ("ids",)),
    (["nope"], InvalidInput, ("ids", 0)),
    (["Customer:ACME", "customer:ACME"], InvalidInput, ("ids", 1)),
    (["Customer` {x:1}) DETACH DELETE n //:A"], InvalidInput, ("ids", 0)),
    (["'; DROP TABLE relations; --:A"], InvalidInput, ("ids", 0)),
    (["Ghost:A"], UnknownType, ("ids", 0)),
    (["Customer:A"] * (MAX_BATCH + 1), LimitExceeded, ("ids",)),
]


@pytest.mark.parametrize(("ids", "error", "path"), BAD_IDS)
async def test_bad_ids_are_refused_at_their_path_before_anything_runs(
    loaded: Loaded, ids: object, error: type[GraphCrmError], path: tuple[object, ...]
) -> None:
    store = await loaded(load_chain)
    before = await snapshot(store)
    with pytest.raises(error) as caught:
        await store.relation_counts(ids)  # type: ignore[arg-type]
    assert caught.value.path == path
    assert await snapshot(store) == before
