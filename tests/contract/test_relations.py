"""Links: idempotent, atomic batches with typed properties."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import GraphCrmError, IncompatibleChange, InvalidInput, UnknownType
from graph_crm.store.base import GraphStore
from tests.contract.crm import define_crm, load_chain
from tests.contract.snapshot import snapshot
from tests.store_fixtures import Loaded


async def test_link_is_idempotent_and_updates_properties(store: GraphStore) -> None:
    await define_crm(store)
    await store.upsert_entities("Customer", [{"key": "C", "name": "c"}])
    await store.upsert_entities(
        "Subsidiary", [{"key": "S1", "name": "s"}, {"key": "S2", "name": "t"}]
    )
    links: list[dict[str, Any]] = [
        {"from": "C", "to": "S1", "properties": {"share": 0.5}},
        {"from": "Customer:C", "to": "Subsidiary:S2"},
    ]
    first = await store.link("HAS_SUBSIDIARY", links)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = await store.link("HAS_SUBSIDIARY", links)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    page = await store.list_relations("HAS_SUBSIDIARY")
    assert [(r.from_id, r.to_id, r.properties) for r in page.items] == [
        ("Customer:C", "Subsidiary:S1", {"share": 0.5}),
        ("Customer:C", "Subsidiary:S2", {}),
    ]
    created_at = page.items[0].created_at
    changed = await store.link(
        "HAS_SUBSIDIARY", [{"from": "C", "to": "S1", "properties": {"share": 0.75}}]
    )
    assert (changed.created, changed.updated) == (0, 1)
    page = await store.list_relations("HAS_SUBSIDIARY")
    assert page.items[0].properties == {"share": 0.75}
    assert page.items[0].created_at == created_at
    assert page.items[0].updated_at > created_at
    assert (await store.counts()).relations["HAS_SUBSIDIARY"] == 2


async def test_unlink_is_idempotent(store: GraphStore) -> None:
    await load_chain(store)
    assert (
        await store.unlink("WROTE", [{"from": "B2", "to": "L2"}, {"from": "B2", "to": "L3"}]) == 2
    )
    assert (
        await store.unlink("WROTE", [{"from": "B2", "to": "L2"}, {"from": "NOBODY", "to": "L2"}])
        == 0
    )
    assert (await store.counts()).relations["WROTE"] == 2
    assert (await store.counts()).entities["ChatLog"] == 4


async def test_bad_links_write_nothing(store: GraphStore) -> None:
    await load_chain(store)
    before = await snapshot(store)
    bad_batches: list[list[dict[str, Any]]] = [
        [{"from": "L1", "to": "GLOBEX", "properties": {"sentiment": "ANGRY"}}],
        [{"from": "L1", "to": "GLOBEX", "properties": {"unknown": 1}}],
        [{"from": "L1", "to": "GLOBEX", "extra": 1}],
        [{"from": "L1", "to": "GLOBEX"}, {"from": "L1", "to": "GLOBEX"}],
        [{"from": "Buyer:B1", "to": "GLOBEX"}],
        [{"from": "L1"}],
        [{"from": "L1", "to": "GLOBEX", "properties": "positive"}],
    ]
    for batch in bad_batches:
        with pytest.raises(InvalidInput):
            await store.link("MENTIONS", [{"from": "L4", "to": "GLOBEX"}, *batch])
    with pytest.raises(UnknownType):
        await store.link("SUPPLIES", [{"from": "a", "to": "b"}])
    assert await snapshot(store) == before


async def test_relation_pages(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        page = await store.list_relations("WROTE", first=3, after=after)
        assert page.total_count == 4
        seen.extend((r.from_id, r.to_id) for r in page.items)
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == [
        ("Buyer:B1", "ChatLog:L1"),
        ("Buyer:B2", "ChatLog:L2"),
        ("Buyer:B2", "ChatLog:L3"),
        ("Buyer:B3", "ChatLog:L4"),
    ]


async def test_evolving_a_relation_type(store: GraphStore) -> None:
    await load_chain(store)
    mentions: dict[str, Any] = {
        "name": "MENTIONS",
        "from": "ChatLog",
        "to": "Competitor",
        "description": "A competitor named in a chat",
        "properties": [
            {"name": "sentiment", "kind": "ENUM", "values": ["POSITIVE", "NEGATIVE", "MIXED"]},
            {"name": "confidence", "kind": "FLOAT", "required": True, "default": 0.5},
        ],
    }
    registry = await store.alter_relation_type(mentions, actor="carol")
    assert registry.relation_type("MENTIONS").description == "A competitor named in a chat"
    page = await store.list_relations("MENTIONS")
    assert {r.properties["confidence"] for r in page.items} == {0.5}
    assert page.items[0].properties["sentiment"] == "NEGATIVE"
    same = await store.link(
        "MENTIONS",
        [
            {
                "from": "L1",
                "to": "GLOBEX",
                "properties": {"sentiment": "NEGATIVE", "confidence": 0.5},
            }
        ],
    )
    assert (same.created, same.updated, same.unchanged) == (0, 0, 1)
    await store.link(
        "MENTIONS",
        [{"from": "L2", "to": "INITECH", "properties": {"sentiment": "MIXED", "confidence": 0.9}}],
    )
    before = await snapshot(store)
    with pytest.raises(IncompatibleChange, match="ends cannot change"):
        await store.alter_relation_type({**mentions, "to": "Buyer"})
    with pytest.raises(IncompatibleChange, match="removing"):
        await store.alter_relation_type({**mentions, "properties": mentions["properties"][:1]})
    assert await snapshot(store) == before


async def test_get_relations_answers_per_pair_in_order(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    asked: list[dict[str, Any]] = [
        {"from": "ACME", "to": "ACME-DE"},
        {"from": "Customer:BETA", "to": "Subsidiary:BETA-AT"},
        {"from": "ACME", "to": "BETA-AT"},  # both ends stored, no relation between them
        {"from": "ACME", "to": "NOWHERE"},  # an end that is not stored
    ]
    found = await store.get_relations("HAS_SUBSIDIARY", asked)
    page = await store.list_relations("HAS_SUBSIDIARY")
    stored = {(r.from_id, r.to_id): r for r in page.items}
    assert found == [
        stored[("Customer:ACME", "Subsidiary:ACME-DE")],
        stored[("Customer:BETA", "Subsidiary:BETA-AT")],
        None,
        None,
    ]
    first = found[0]
    assert first is not None
    assert first.properties == {"share": 0.51}
    assert await store.get_relations("HAS_SUBSIDIARY", []) == []


@pytest.mark.parametrize(
    ("relation", "links", "error", "path"),
    [
        ("NOPE", [{"from": "ACME", "to": "ACME-DE"}], UnknownType, ()),
        ("X`]->() DETACH DELETE n //", [{"from": "A", "to": "B"}], UnknownType, ()),
        ("HAS_SUBSIDIARY", [{"from": "Buyer:B1", "to": "ACME-DE"}], InvalidInput, (0, "from")),
        ("HAS_SUBSIDIARY", [{"from": "ACME"}], InvalidInput, (0, "to")),
        ("HAS_SUBSIDIARY", [{"from": "ACME", "to": "ACME-DE"}] * 2, InvalidInput, (1,)),
    ],
)
async def test_get_relations_refuses_unknown_types_wrong_ends_and_pairs_asked_twice(
    loaded: Loaded,
    relation: str,
    links: list[dict[str, Any]],
    error: type[GraphCrmError],
    path: tuple[Any, ...],
) -> None:
    store = await loaded(load_chain)
    before = await snapshot(store)
    with pytest.raises(error) as refused:
        await store.get_relations(relation, links)
    if path:
        assert any(tuple(issue.path)[-len(path) :] == path for issue in refused.value.issues)
    assert await snapshot(store) == before


_KINDS: dict[str, Any] = {
    "note": {"kind": "STRING"},
    "count": {"kind": "INT"},
    "share": {"kind": "FLOAT"},
    "open": {"kind": "BOOLEAN"},
    "day": {"kind": "DATE"},
    "at": {"kind": "DATETIME"},
    "level": {"kind": "ENUM", "values": ["LOW", "HIGH"]},
    "data": {"kind": "JSON"},
}
_FULL: dict[str, Any] = {
    "note": "发布 launch",
    "count": 3,
    "share": 2.0,
    "open": False,
    "day": "1996-07-04",
    "at": "2026-03-04T05:06:07.123456Z",
    "level": "LOW",
    "data": {"b": [1, 2.5, None], "a": "x"},
}
_OTHER: dict[str, Any] = {
    "note": "launch",
    "count": 4,
    "share": 0.2,
    "open": True,
    "day": "1996-07-05",
    "at": "2026-03-04T05:06:07.123457Z",
    "level": "HIGH",
    "data": {"a": "x", "b": [1, 2.5]},
}


@pytest.mark.parametrize("name", sorted(_KINDS))
async def test_a_link_is_unchanged_exactly_when_every_value_is(
    store: GraphStore, name: str
) -> None:
    await store.define_entity_type({"name": "Event", "properties": []})
    properties = [{"name": n, **spec} for n, spec in _KINDS.items()]
    await store.define_relation_type(
        {"name": "FOLLOWS", "from": "Event", "to": "Event", "properties": properties}
    )
    await store.upsert_entities("Event", [{"key": "A"}, {"key": "B"}])

    async def link(values: dict[str, Any]) -> tuple[int, int, int]:
        result = await store.link("FOLLOWS", [{"from": "A", "to": "B", "properties": values}])
        return result.created, result.updated, result.unchanged

    assert await link(_FULL) == (1, 0, 0)
    # the same values, spelled as a client may (a JSON object's keys in another order,
    # an INT-valued FLOAT), change nothing, not even updatedAt
    (stored,) = (await store.list_relations("FOLLOWS")).items
    same = {**_FULL, "data": {"a": "x", "b": [1, 2.5, None]}, "share": 2}
    assert await link(same) == (0, 0, 1)
    (again,) = (await store.list_relations("FOLLOWS")).items
    assert again.updated_at == stored.updated_at
    # one value changed, then removed, then still absent
    assert await link({**_FULL, name: _OTHER[name]}) == (0, 1, 0)
    assert await link({**_FULL, name: _OTHER[name]}) == (0, 0, 1)
    absent = {n: v for n, v in _FULL.items() if n != name}
    assert await link(absent) == (0, 1, 0)
    assert await link(absent) == (0, 0, 1)
    (last,) = (await store.list_relations("FOLLOWS")).items
    assert name not in last.properties
    assert last.created_at == stored.created_at
