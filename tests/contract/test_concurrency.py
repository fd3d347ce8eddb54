"""Concurrent writers on one store: no duplicates, no lost rows, exact counts."""

from __future__ import annotations

import asyncio

import pytest

from graph_crm.errors import TypeExists
from graph_crm.store.base import GraphStore
from tests.contract.crm import define_crm


async def test_concurrent_overlapping_upserts_and_links(store: GraphStore) -> None:
    await define_crm(store)

    async def writer(number: int) -> None:
        # every writer touches the same 40 customers and its own subsidiaries
        await store.upsert_entities(
            "Customer", [{"key": f"C{i:02d}", "name": f"客户 {i}"} for i in range(40)]
        )
        await store.upsert_entities(
            "Subsidiary", [{"key": f"S{number}-{i}", "name": "s"} for i in range(10)]
        )
        await store.link(
            "HAS_SUBSIDIARY",
            [{"from": f"C{(number + i) % 40:02d}", "to": f"S{number}-{i}"} for i in range(10)]
            + [{"from": "C00", "to": f"S{number}-1"}],
        )

    await asyncio.gather(*(writer(n) for n in range(16)))
    counts = await store.counts()
    assert counts.entities["Customer"] == 40
    assert counts.entities["Subsidiary"] == 160
    assert counts.relations["HAS_SUBSIDIARY"] == 16 * 10 + 16


async def test_racing_definitions_one_wins(store: GraphStore) -> None:
    definition = {"name": "Warehouse", "properties": [{"name": "city", "kind": "STRING"}]}
    results = await asyncio.gather(
        *(store.define_entity_type(definition, actor=f"officer-{n}") for n in range(4)),
        return_exceptions=True,
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1
    assert all(isinstance(e, TypeExists) for e in losers), losers
    registry = await store.registry()
    assert registry.version == 1
    assert len(await store.registry_changes()) == 1
    with pytest.raises(TypeExists):
        await store.define_entity_type(definition)
