"""Entities and relations of several types written as one unit (``write_batch``): every
row lands or none does, and each refusal names its place in the batch. Both backends."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import InvalidInput, NotFound, UniqueViolation, UnknownType
from graph_crm.store.base import GraphStore
from tests.contract.audit_log import everything
from tests.contract.crm import define_crm
from tests.contract.snapshot import snapshot

CUSTOMERS = [
    {"key": "ACME", "name": "上海阿克米", "email": "ops@acme.cn"},
    {"key": "BETA", "name": "Beta GmbH"},
]
SUBSIDIARIES = [{"key": "ACME-SH", "name": "阿克米上海"}, {"key": "BETA-AT", "name": "Beta AT"}]
OWNERSHIP: list[dict[str, Any]] = [
    {"from": "ACME", "to": "ACME-SH", "properties": {"share": 1.0}},
    {"from": "BETA", "to": "BETA-AT"},
]


async def test_a_batch_of_several_types_lands_whole(store: GraphStore) -> None:
    await define_crm(store)

    result = await store.write_batch(
        {"Customer": CUSTOMERS, "Subsidiary": SUBSIDIARIES},
        {"HAS_SUBSIDIARY": OWNERSHIP},
        actor="loader",
    )

    assert {name: w.created for name, w in result.written.items()} == {
        "Customer": 2,
        "Subsidiary": 2,
    }
    assert result.linked["HAS_SUBSIDIARY"].created == 2
    counts = await store.counts()
    assert (counts.entities["Customer"], counts.entities["Subsidiary"]) == (2, 2)
    assert counts.relations["HAS_SUBSIDIARY"] == 2
    records = await everything(store, actor="loader")
    # one record per type, all at the instant of the one transaction
    assert sorted((r.action, r.type_name, len(r.ids)) for r in records) == [
        ("link", "HAS_SUBSIDIARY", 2),
        ("upsert", "Customer", 2),
        ("upsert", "Subsidiary", 2),
    ]
    assert len({r.at for r in records}) == 1
    # the same batch again changes nothing and records nothing
    again = await store.write_batch(
        {"Customer": CUSTOMERS, "Subsidiary": SUBSIDIARIES},
        {"HAS_SUBSIDIARY": OWNERSHIP},
        actor="loader",
    )
    assert again.written["Customer"].unchanged == 2
    assert again.linked["HAS_SUBSIDIARY"].unchanged == 2
    assert len(await everything(store, actor="loader")) == 3


async def test_a_unique_value_held_by_a_stored_entity_refuses_every_type(
    store: GraphStore,
) -> None:
    await define_crm(store)
    await store.upsert_entities("Customer", [{"key": "OLD", "name": "Old", "email": "x@y.cn"}])
    before = await snapshot(store)
    taken = [*CUSTOMERS, {"key": "NEW", "name": "New", "email": "x@y.cn"}]

    # Subsidiary comes first, so its rows were written when the Customer rows are refused
    with pytest.raises(UniqueViolation) as refused:
        await store.write_batch(
            {"Subsidiary": SUBSIDIARIES, "Customer": taken},
            {"HAS_SUBSIDIARY": OWNERSHIP},
            actor="loader",
        )

    assert [issue.path for issue in refused.value.issues] == [("entities", "Customer", 2, "email")]
    assert "Customer:OLD" in refused.value.message
    assert await snapshot(store) == before


async def test_a_missing_link_end_refuses_the_entities_written_before_it(
    store: GraphStore,
) -> None:
    await define_crm(store)
    before = await snapshot(store)
    links = [*OWNERSHIP, {"from": "ACME", "to": "GONE"}]

    with pytest.raises(NotFound) as refused:
        await store.write_batch(
            {"Customer": CUSTOMERS, "Subsidiary": SUBSIDIARIES},
            {"HAS_SUBSIDIARY": links},
            actor="loader",
        )

    assert [issue.path for issue in refused.value.issues] == [("links", "HAS_SUBSIDIARY", 2, "to")]
    assert "Subsidiary:GONE" in refused.value.message
    assert await snapshot(store) == before


async def test_every_problem_is_found_before_anything_is_written(store: GraphStore) -> None:
    await define_crm(store)
    before = await snapshot(store)
    hostile = "X`]->() DETACH DELETE n //"

    with pytest.raises(InvalidInput) as refused:
        await store.write_batch(
            {
                "Customer": [{"key": "A", "name": "A", "tier": "PLATINUM"}],
                "Subsidiary": [{"key": "S"}],
                hostile: [{"key": "Z"}],
            },
            {"HAS_SUBSIDIARY": [{"from": "A", "to": "S", "properties": {"share": "all"}}]},
        )

    assert [issue.path for issue in refused.value.issues] == [
        ("entities", "Customer", 0, "tier"),
        ("entities", "Subsidiary", 0, "name"),
        ("entities", hostile),
        ("links", "HAS_SUBSIDIARY", 0, "properties", "share"),
    ]
    assert refused.value.issues[2].code == UnknownType.code
    assert await snapshot(store) == before


async def test_one_type_writes_still_report_their_own_paths(store: GraphStore) -> None:
    """upsert_entities and link go through the same primitive, refused as before."""
    await define_crm(store)
    await store.upsert_entities("Customer", [{"key": "OLD", "name": "Old", "email": "x@y.cn"}])
    with pytest.raises(UniqueViolation) as taken:
        await store.upsert_entities("Customer", [{"key": "NEW", "name": "N", "email": "x@y.cn"}])
    assert taken.value.path == ("records", 0, "email")
    with pytest.raises(NotFound) as missing:
        await store.link("HAS_SUBSIDIARY", [{"from": "OLD", "to": "NOWHERE"}])
    assert missing.value.path == ("links", 0, "to")


@pytest.mark.parametrize("empty", [{}, {"Customer": []}])
async def test_an_empty_batch_writes_nothing(store: GraphStore, empty: dict[str, Any]) -> None:
    await define_crm(store)
    before = await snapshot(store)
    result = await store.write_batch(empty)
    assert all(w.created == w.updated == 0 for w in result.written.values())
    assert await snapshot(store) == before
    assert await everything(store, actor="system") == []
