"""Stored rollups under concurrent writers, through an import, and as an impact exposure
(both backends)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from graph_crm.impact.plan import StepProperty
from graph_crm.model.types import PropertyKind
from graph_crm.services.transfer import import_graph
from graph_crm.store.base import GraphStore
from tests.contract.logistics import AS_OF, ENTITY_TYPES, load_logistics, shipment_plan
from tests.contract.test_computed import LINES, export_edited
from tests.contract.test_computed_rollups import define_orders, rollup


async def test_concurrent_writers_never_leave_a_stored_sum_stale(
    store: GraphStore, twin_store: GraphStore
) -> None:
    """Two store handles on one database (as two worker processes) link, change and unlink
    lines of the same orders at once; each order's stored value is then the sum over the
    lines it holds."""
    await define_orders(store)
    lines = [
        {"key": f"{w}{i}", "unitPrice": 1.5, "quantity": i + 1} for w in "AB" for i in range(12)
    ]
    await store.upsert_entities("OrderLine", lines)
    await store.upsert_entities("Order", [{"key": "O"}, {"key": "P"}])

    async def writer(handle: GraphStore, name: str) -> None:
        for i in range(12):
            await handle.link("HAS_LINE", [{"from": "O", "to": f"{name}{i}"}])
            if i % 3 == 1:
                await handle.upsert_entities(
                    "OrderLine", [{"key": f"{name}{i - 1}", "unitPrice": 2.0, "quantity": i}]
                )
            if i % 4 == 3:
                await handle.write_batch({}, {"HAS_LINE": [{"from": "P", "to": f"{name}{i}"}]})
                await handle.unlink("HAS_LINE", [{"from": "O", "to": f"{name}{i}"}])

    await asyncio.gather(writer(store, "A"), writer(twin_store, "B"))
    totals = {
        e.key: float(e.properties["lineTotal"])
        for e in (await store.list_entities("OrderLine", first=100)).items
    }
    expected = {"O": 0.0, "P": 0.0}
    for relation in (await store.list_relations("HAS_LINE", first=100)).items:
        expected[relation.from_id.split(":")[1]] += totals[relation.to_id.split(":")[1]]
    assert await rollup(store) == pytest.approx(expected, abs=0, rel=1e-15)
    assert expected["O"] > 0
    assert expected["P"] > 0


async def test_an_import_computes_rollups_again(store: GraphStore, tmp_path: Path) -> None:
    async def fill(source: GraphStore) -> None:
        await define_orders(source)
        await source.upsert_entities("OrderLine", LINES)
        await source.upsert_entities("Order", [{"key": "A"}, {"key": "B"}])
        await source.link("HAS_LINE", [{"from": "A", "to": "L1"}, {"from": "A", "to": "L2"}])

    path, exported = await export_edited(tmp_path, fill, "A", "value")
    assert exported == 226.22
    await import_graph(store, path)  # the value edited in the file is not believed
    assert await rollup(store) == {"A": 226.22, "B": 0.0}
    # and kept current afterwards
    await store.unlink("HAS_LINE", [{"from": "A", "to": "L2"}])
    assert await rollup(store) == {"A": 26.22, "B": 0.0}


async def test_an_impact_exposure_may_be_a_rollup(store: GraphStore) -> None:
    await load_logistics(store)
    (shipment,) = [spec for spec in ENTITY_TYPES if spec["name"] == "Shipment"]
    hubs = {"rollup": "count", "path": ["ROUTED_VIA"]}
    routes = {"name": "routes", "kind": "INT", "computed": hubs}
    await store.alter_entity_type({**shipment, "properties": [*shipment["properties"], routes]})
    registry = await store.registry()
    plan = replace(
        shipment_plan(registry, status=["IN_TRANSIT"]),
        exposure=StepProperty(1, "routes", PropertyKind.INT),
    )
    rows = {row.target: row for row in await store.impact_rows(plan, "Warehouse:W1", as_of=AS_OF)}
    # S1 and S2 reach CA, each routed via one warehouse
    assert rows["Customer:CA"].exposure == 2
    assert rows["Customer:CA"].exposure_entities == 2
