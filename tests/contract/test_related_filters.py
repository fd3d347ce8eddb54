"""Relation quantifiers in ``where``: linked to some / no entity that passes a filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph_crm.errors import GraphCrmError, InvalidInput, UnknownProperty, UnknownType
from graph_crm.store.base import GraphStore
from tests.contract.crm import load_chain
from tests.contract.snapshot import snapshot

#: "Now" for the data below: L1, L3 and L4 fall in the last 90 days, L2 and L5 do not.
NOW = datetime(2026, 11, 10, tzinfo=UTC)
RECENT = (NOW - timedelta(days=90)).isoformat()


async def load(store: GraphStore) -> None:
    """The brief's chain, plus GAMMA (a subsidiary without a country, an old chat)
    and a competitor nobody mentions."""
    await load_chain(store)
    await store.upsert_entities("Customer", [{"key": "GAMMA", "name": "Gamma KK"}])
    await store.upsert_entities("Subsidiary", [{"key": "GAMMA-X", "name": "Gamma X"}])
    await store.upsert_entities("Buyer", [{"key": "B4", "name": "Yuki"}])
    await store.upsert_entities("ChatLog", [{"key": "L5", "at": "2026-01-05T08:00:00Z"}])
    await store.upsert_entities("Competitor", [{"key": "HOOLI", "name": "Hooli"}])
    await store.link("HAS_SUBSIDIARY", [{"from": "GAMMA", "to": "GAMMA-X"}])
    await store.link("EMPLOYS", [{"from": "GAMMA-X", "to": "B4"}])
    await store.link("WROTE", [{"from": "B4", "to": "L5"}])


async def keys(store: GraphStore, type_name: str, where: Any) -> list[str]:
    page = await store.list_entities(type_name, where=where, first=100)
    assert page.total_count == len(page.items)
    return [entity.key for entity in page.items]


async def test_some_and_none_in_both_directions(store: GraphStore) -> None:
    await load(store)
    cn = {"HAS_SUBSIDIARY": {"some": {"country": {"eq": "CN"}}}}
    assert await keys(store, "Customer", cn) == ["ACME"]
    has_any = {"HAS_SUBSIDIARY": {"direction": "OUT", "some": {}}}
    assert await keys(store, "Customer", has_any) == ["ACME", "BETA", "GAMMA"]
    assert await keys(store, "Customer", {"HAS_SUBSIDIARY": {"none": {}}}) == ["ACME-HOLD"]
    # none holds without any relation at all, and GAMMA-X's missing country is not CN
    no_cn = {"HAS_SUBSIDIARY": {"none": {"country": {"eq": "CN"}}}}
    assert await keys(store, "Customer", no_cn) == ["ACME-HOLD", "BETA", "GAMMA"]
    never_mentioned = {"MENTIONS": {"direction": "IN", "none": {}}}
    assert await keys(store, "Competitor", never_mentioned) == ["HOOLI"]
    in_globex_chat = {"MENTIONS": {"direction": "in", "some": {"text": {"contains": "Globex"}}}}
    assert await keys(store, "Competitor", in_globex_chat) == ["GLOBEX"]
    # a relation from a type to itself: the direction says which end the entity is
    assert await keys(store, "Customer", {"PARENT_OF": {"some": {}}}) == ["ACME-HOLD"]
    has_parent = {"PARENT_OF": {"direction": "IN", "some": {"tier": {"eq": "GOLD"}}}}
    assert await keys(store, "Customer", has_parent) == ["ACME"]
    # a null quantifier or direction is "not given", as GraphQL clients send them
    nulls = {"HAS_SUBSIDIARY": {"direction": None, "some": {"country": {"eq": "CN"}}, "none": None}}
    assert await keys(store, "Customer", nulls) == ["ACME"]


async def test_nested_quantifiers(store: GraphStore) -> None:
    await load(store)
    # customers with a subsidiary employing a buyer who wrote a chat in the last 90 days
    recent_writer = {"WROTE": {"some": {"at": {"gte": RECENT}}}}
    where = {"HAS_SUBSIDIARY": {"some": {"EMPLOYS": {"some": recent_writer}}}}
    assert await keys(store, "Customer", where) == ["ACME", "BETA"]
    quiet = {"HAS_SUBSIDIARY": {"none": {"EMPLOYS": {"some": recent_writer}}}}
    assert await keys(store, "Customer", quiet) == ["ACME-HOLD", "GAMMA"]
    # four levels down, with a condition at two of them
    globex = {"MENTIONS": {"some": {"key": {"eq": "GLOBEX"}}}}
    chat = {"WROTE": {"some": {"and": [{"at": {"gte": RECENT}}, globex]}}}
    deep = {"HAS_SUBSIDIARY": {"some": {"country": {"eq": "DE"}, "EMPLOYS": {"some": chat}}}}
    assert await keys(store, "Customer", deep) == ["ACME"]
    # and back up the chain, against the arrows
    by_wang = {"WROTE": {"direction": "IN", "some": {"name": {"eq": "王伟"}}}}
    assert await keys(store, "Competitor", {"MENTIONS": {"direction": "IN", "some": by_wang}}) == [
        "GLOBEX"
    ]


async def test_quantifiers_with_and_or_not_and_paging(store: GraphStore) -> None:
    await load(store)
    late_wang = {
        "and": [
            {"WROTE": {"some": {"at": {"gte": "2026-08-25T00:00:00Z"}}}},
            {"name": {"startsWith": "王"}},
        ]
    }
    assert await keys(store, "Buyer", late_wang) == ["B1"]
    austrian_or_anna = {
        "or": [
            {"EMPLOYS": {"direction": "IN", "some": {"country": {"eq": "AT"}}}},
            {"name": {"eq": "Anna"}},
        ]
    }
    assert await keys(store, "Buyer", austrian_or_anna) == ["B2", "B3"]
    # some is never unknown: GAMMA-X's missing country makes "ne CN" unknown there, so
    # GAMMA has no such subsidiary, and "not" turns that false into true
    not_foreign = {"not": {"HAS_SUBSIDIARY": {"some": {"country": {"ne": "CN"}}}}}
    assert await keys(store, "Customer", not_foreign) == ["ACME-HOLD", "GAMMA"]
    assert await keys(store, "Customer", {"not": {"HAS_SUBSIDIARY": {"none": {}}}}) == [
        "ACME",
        "BETA",
        "GAMMA",
    ]
    # a quantifier beside the keyset condition of later pages, ordered by a property
    seen: list[str] = []
    after = None
    while True:
        page = await store.list_entities(
            "Customer",
            where={"HAS_SUBSIDIARY": {"some": {}}, "tier": {"isNull": False}},
            order_by=["-name"],
            first=1,
            after=after,
        )
        assert page.total_count == 2
        seen += [entity.key for entity in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == ["ACME", "BETA"]  # 上海… sorts after Beta GmbH


async def test_quantifiers_in_traversal_steps_and_neighbors(store: GraphStore) -> None:
    await load(store)
    initech = {"MENTIONS": {"some": {"key": {"eq": "INITECH"}}}}
    where = {"EMPLOYS": {"some": {"WROTE": {"some": initech}}}}
    step = {"relation": "HAS_SUBSIDIARY", "where": where}
    result = await store.traverse(["Customer:ACME", "Customer:BETA"], [step])
    assert [entity.id for entity in result.reached] == ["Subsidiary:ACME-DE"]
    # a repeating step (a bounded variable-length pattern on Neo4j)
    german = {"HAS_SUBSIDIARY": {"some": {"country": {"eq": "DE"}}}}
    parents = {"relation": "PARENT_OF", "maxHops": 3, "where": german}
    result = await store.traverse(["Customer:ACME-HOLD"], [parents])
    assert [entity.id for entity in result.reached] == ["Customer:ACME"]
    parents["where"] = {"HAS_SUBSIDIARY": {"none": {}}}
    assert (await store.traverse(["Customer:ACME-HOLD"], [parents])).reached == []
    # a step landing on the quantifier's far end, then one more step
    quiet = {"relation": "EMPLOYS", "where": {"WROTE": {"none": {"at": {"gte": RECENT}}}}}
    result = await store.traverse(
        ["Customer:ACME", "Customer:GAMMA"], [{"relation": "HAS_SUBSIDIARY"}, quiet]
    )
    assert [entity.id for entity in result.reached] == ["Buyer:B4"]
    # the batched neighbour read takes the same where
    batch = await store.neighbors(
        "HAS_SUBSIDIARY", "OUT", ["Customer:ACME", "Customer:GAMMA"], where=where
    )
    assert [[n.entity.id for n in neighbors] for neighbors in batch] == [
        ["Subsidiary:ACME-DE"],
        [],
    ]


HOSTILE = "A`]->() DETACH DELETE n //"


async def test_every_error_names_its_path_and_changes_nothing(store: GraphStore) -> None:
    await load(store)
    before = await snapshot(store)
    cn = {"country": {"eq": "CN"}}
    cases: list[tuple[str, Any, type[GraphCrmError], tuple[Any, ...]]] = [
        ("Customer", {"NO_SUCH": {"some": {}}}, UnknownType, ("where", "NO_SUCH")),
        ("Customer", {HOSTILE: {"some": {}}}, UnknownType, ("where", HOSTILE)),
        # HAS_SUBSIDIARY starts at Customer, so a Subsidiary is its IN end only
        ("Subsidiary", {"HAS_SUBSIDIARY": {"some": {}}}, InvalidInput, ("where", "HAS_SUBSIDIARY")),
        (
            "Customer",
            {"HAS_SUBSIDIARY": {"direction": "IN", "some": {}}},
            InvalidInput,
            ("where", "HAS_SUBSIDIARY"),
        ),
        (
            "Customer",
            {"HAS_SUBSIDIARY": {"some": cn, "none": cn}},
            InvalidInput,
            ("where", "HAS_SUBSIDIARY"),
        ),
        (
            "Customer",
            {"HAS_SUBSIDIARY": {"direction": "OUT"}},
            InvalidInput,
            ("where", "HAS_SUBSIDIARY"),
        ),
        (
            "Customer",
            {"HAS_SUBSIDIARY": {"direction": "BOTH", "some": {}}},
            InvalidInput,
            ("where", "HAS_SUBSIDIARY", "direction"),
        ),
        (
            "Customer",
            {"HAS_SUBSIDIARY": {"direction": 1, "some": {}}},
            InvalidInput,
            ("where", "HAS_SUBSIDIARY", "direction"),
        ),
        (
            "Customer",
            {"HAS_SUBSIDIARY": {"any": {}}},
            InvalidInput,
            ("where", "HAS_SUBSIDIARY", "any"),
        ),
        ("Customer", {"HAS_SUBSIDIARY": True}, InvalidInput, ("where", "HAS_SUBSIDIARY")),
        (
            "Customer",
            {"HAS_SUBSIDIARY": {"some": [cn]}},
            InvalidInput,
            ("where", "HAS_SUBSIDIARY", "some"),
        ),
        (
            "Customer",
            {"HAS_SUBSIDIARY": {"some": {"EMPLOYS": {"none": {"tier": {"eq": "GOLD"}}}}}},
            UnknownProperty,
            ("where", "HAS_SUBSIDIARY", "some", "EMPLOYS", "none", "tier"),
        ),
    ]
    for type_name, where, error, path in cases:
        with pytest.raises(error) as caught:
            await store.list_entities(type_name, where=where)
        assert caught.value.path == path, where
    step = {"relation": "HAS_SUBSIDIARY", "where": {HOSTILE: {"none": {}}}}
    with pytest.raises(UnknownType) as caught:
        await store.traverse(["Customer:ACME"], [step])
    assert caught.value.path == ("steps", 0, "where", HOSTILE)
    assert await snapshot(store) == before
    assert len((await store.list_entities("Customer")).items) == 4
