"""Computed properties: defined with a formula, stored on every write in the write's
transaction, read, filtered and sorted like stored ones, recomputed when the formula
changes, never written by a client (both backends)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from graph_crm.errors import GraphCrmError, IncompatibleChange, InvalidInput
from graph_crm.impact.plan import StepProperty
from graph_crm.model.formula import EvaluationFailed
from graph_crm.model.types import PropertyKind
from graph_crm.services.schema_document import apply_document, export_document, plan_document
from graph_crm.services.transfer import export_graph, import_graph
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.contract.logistics import AS_OF, ENTITY_TYPES, load_logistics, shipment_plan
from tests.contract.snapshot import snapshot

LINE_TOTAL = "round(unitPrice * quantity * (1 - coalesce(discount, 0)), 2)"


def order_line(total: str = LINE_TOTAL, **extra: Any) -> dict[str, Any]:
    return {
        "name": "OrderLine",
        "properties": [
            {"name": "unitPrice", "kind": "FLOAT"},
            {"name": "quantity", "kind": "INT"},
            {"name": "discount", "kind": "FLOAT"},
            {"name": "lineTotal", "kind": "FLOAT", "computed": total},
            {"name": "big", "kind": "BOOLEAN", "computed": "lineTotal > 100"},
            *extra.get("more", []),
        ],
    }


LINES: list[dict[str, Any]] = [
    {"key": "L1", "unitPrice": 9.99, "quantity": 3, "discount": 0.125},
    {"key": "L2", "unitPrice": 50.0, "quantity": 4},
    {"key": "L3", "unitPrice": 12.5, "quantity": 2, "discount": 0.5},
    {"key": "L4", "quantity": 7},
]


async def values(store: GraphStore, name: str) -> dict[str, Any]:
    page = await store.list_entities("OrderLine", first=100)
    return {entity.key: entity.properties.get(name) for entity in page.items}


async def test_a_formula_is_stored_with_each_write_and_read_back(store: GraphStore) -> None:
    await store.define_entity_type(order_line())
    result = await store.upsert_entities("OrderLine", LINES)
    assert result.created == 4
    assert await values(store, "lineTotal") == {"L1": 26.22, "L2": 200.0, "L3": 12.5, "L4": None}
    # a computed property reads another: it comes after it
    assert await values(store, "big") == {"L1": False, "L2": True, "L3": False, "L4": None}
    # a write that changes nothing stays unchanged; one that changes an input recomputes
    again = await store.upsert_entities("OrderLine", LINES)
    assert again.unchanged == 4
    await store.upsert_entities("OrderLine", [{"key": "L4", "unitPrice": 20.0, "quantity": 7}])
    (l4,) = await store.get_entities(["OrderLine:L4"])
    assert l4 is not None
    assert l4.properties["lineTotal"] == 140.0
    assert l4.properties["big"] is True


async def test_a_formula_filters_and_sorts_like_a_stored_property(store: GraphStore) -> None:
    await store.define_entity_type(order_line())
    await store.upsert_entities("OrderLine", LINES)
    page = await store.list_entities("OrderLine", where={"lineTotal": {"gt": 20}})
    assert sorted(entity.key for entity in page.items) == ["L1", "L2"]
    ordered = await store.list_entities("OrderLine", order_by=["-lineTotal", "key"])
    # nulls sort as they do for a stored property (first when descending)
    assert [entity.key for entity in ordered.items] == ["L4", "L2", "L1", "L3"]
    big = await store.list_entities("OrderLine", where={"big": {"eq": True}})
    assert [entity.key for entity in big.items] == ["L2"]


async def test_a_client_value_for_a_computed_property_is_refused_and_nothing_written(
    store: GraphStore,
) -> None:
    await store.define_entity_type(order_line())
    before = await snapshot(store)
    rows = [*LINES[:2], {"key": "L9", "unitPrice": 1.0, "quantity": 1, "lineTotal": 5.0}]
    with pytest.raises(InvalidInput) as caught:
        await store.upsert_entities("OrderLine", rows)
    assert caught.value.path == ("records", 2, "lineTotal")
    assert "computed" in caught.value.message
    with pytest.raises(InvalidInput) as in_batch:
        await store.write_batch({"OrderLine": [{"key": "L1", "big": True}]})
    assert in_batch.value.path == ("entities", "OrderLine", 0, "big")
    assert await snapshot(store) == before


async def test_a_value_that_cannot_be_computed_refuses_the_whole_batch(store: GraphStore) -> None:
    await store.define_entity_type(
        {
            "name": "Counter",
            "properties": [
                {"name": "n", "kind": "INT"},
                {"name": "twice", "kind": "INT", "computed": "n * 2"},
            ],
        }
    )
    before = await snapshot(store)
    with pytest.raises(EvaluationFailed) as caught:
        await store.upsert_entities("Counter", [{"key": "a", "n": 1}, {"key": "b", "n": 2**62}])
    assert caught.value.path == ("records", 1, "twice")
    assert await snapshot(store) == before


async def test_altering_a_formula_recomputes_stored_entities(store: GraphStore) -> None:
    await store.define_entity_type(order_line())
    await store.upsert_entities("OrderLine", LINES)
    await store.alter_entity_type(order_line("unitPrice * quantity"))
    assert await values(store, "lineTotal") == {
        "L1": pytest.approx(29.97),
        "L2": 200.0,
        "L3": 25.0,
        "L4": None,
    }
    assert await values(store, "big") == {"L1": False, "L2": True, "L3": False, "L4": None}
    # a computed property added to a type that holds data is computed for every entity
    extra = {"name": "units", "kind": "STRING", "computed": "concat('x', '-', key)"}
    await store.alter_entity_type(order_line("unitPrice * quantity", more=[extra]))
    assert await values(store, "units") == {"L1": "x-L1", "L2": "x-L2", "L3": "x-L3", "L4": "x-L4"}
    # a stored upsert after that keeps them current
    await store.upsert_entities("OrderLine", [{"key": "L3", "unitPrice": 1.0, "quantity": 1}])
    (l3,) = await store.get_entities(["OrderLine:L3"])
    assert l3 is not None
    assert l3.properties["lineTotal"] == 1.0


async def test_altering_to_the_same_definition_changes_nothing(store: GraphStore) -> None:
    registry = await store.define_entity_type(order_line())
    await store.upsert_entities("OrderLine", LINES)
    again = await store.alter_entity_type(order_line())
    assert again.version == registry.version


@pytest.mark.parametrize(
    ("formula", "kind", "expected"),
    [
        ("unitPrice * nope", "FLOAT", "has no property `nope`"),
        ("quantity || 'x'", "STRING", "needs"),
        ("unitPrice * quantity", "INT", "gives FLOAT, but 'lineTotal' is declared INT"),
        ("add_days(now(), 1)", "DATETIME", "cannot use now()"),
        ("$asOf", "DATETIME", "cannot use $asOf"),
        ("lineTotal + 1", "FLOAT", "circle"),
        ("x'); MATCH (n) DETACH DELETE n //", "FLOAT", "character"),
        ("`quantity`", "FLOAT", "character"),
        ("(" * 40 + "1" + ")" * 40, "INT", "character"),
    ],
)
async def test_a_bad_or_hostile_formula_is_refused_at_its_path(
    store: GraphStore, formula: str, kind: str, expected: str
) -> None:
    definition = order_line()
    definition["properties"][3] = {"name": "lineTotal", "kind": kind, "computed": formula}
    definition["properties"].pop(4)  # big reads lineTotal as a number
    with pytest.raises(GraphCrmError) as caught:
        await store.define_entity_type(definition)
    assert expected in caught.value.message
    assert caught.value.path[:3] == ("properties", 3, "computed")
    assert "OrderLine" not in (await store.registry()).entity_types


async def test_a_change_that_breaks_a_formula_is_refused_naming_it(store: GraphStore) -> None:
    await store.define_entity_type(order_line())
    without_discount = order_line()
    without_discount["properties"].pop(2)
    with pytest.raises(GraphCrmError) as own:
        await store.alter_entity_type(without_discount)
    assert "discount" in own.value.message
    assert own.value.path == ("properties", 2, "computed")
    # computed properties are not required, unique or defaulted, and not on relations
    with pytest.raises(InvalidInput):
        await store.define_entity_type(
            {
                "name": "X",
                "properties": [{"name": "a", "kind": "INT", "computed": "1", "unique": True}],
            }
        )
    with pytest.raises(InvalidInput):
        await store.define_relation_type(
            {
                "name": "R",
                "from": "OrderLine",
                "to": "OrderLine",
                "properties": [{"name": "a", "kind": "INT", "computed": "1"}],
            }
        )
    assert IncompatibleChange.code == "INCOMPATIBLE_CHANGE"


async def test_a_schema_document_exports_diffs_and_applies_computed_properties(
    store: GraphStore,
) -> None:
    await store.define_entity_type(order_line())
    await store.upsert_entities("OrderLine", LINES)
    document = export_document(await store.registry())
    (exported,) = document["entityTypes"]
    assert exported["properties"][3]["computed"] == LINE_TOTAL
    assert plan_document(await store.registry(), document).unchanged
    exported["properties"][3]["computed"] = "unitPrice * quantity"
    plan = plan_document(await store.registry(), document)
    assert "changes property lineTotal: computed" in str(plan)
    applied = await apply_document(store, document, actor="officer")
    assert not applied.refusals
    assert (await values(store, "lineTotal"))["L3"] == 25.0


async def export_edited(
    tmp_path: Path, fill: Callable[[GraphStore], Awaitable[Any]], key: str, name: str
) -> tuple[Path, Any]:
    """What ``fill`` writes into an embedded store, exported, with entity ``key``'s
    computed ``name`` edited in the file to 1.0; the file, and the value exported."""
    source = await EmbeddedStore.open(tmp_path / "source.db")
    try:
        await fill(source)
        path = tmp_path / "graph.jsonl"
        with path.open("w", encoding="utf-8") as out:
            await export_graph(source, out)
    finally:
        await source.close()
    exported = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    (row,) = [row for row in exported if row.get("key") == key]
    value = row["properties"][name]
    row["properties"][name] = 1.0
    path.write_text("".join(json.dumps(row) + "\n" for row in exported), encoding="utf-8")
    return path, value


async def test_an_export_holds_computed_values_and_an_import_computes_them_again(
    store: GraphStore, tmp_path: Path
) -> None:
    async def fill(source: GraphStore) -> None:
        await source.define_entity_type(order_line())
        await source.upsert_entities("OrderLine", LINES)

    path, exported = await export_edited(tmp_path, fill, "L1", "lineTotal")
    assert exported == 26.22
    # a value edited in the file is not believed: the import computes it again
    await import_graph(store, path)
    assert await values(store, "lineTotal") == {"L1": 26.22, "L2": 200.0, "L3": 12.5, "L4": None}


async def test_a_traverse_filter_reads_a_computed_property(store: GraphStore) -> None:
    await store.define_entity_type(order_line())
    await store.define_entity_type({"name": "Order"})
    await store.define_relation_type({"name": "HAS_LINE", "from": "Order", "to": "OrderLine"})
    await store.upsert_entities("OrderLine", LINES)
    await store.upsert_entities("Order", [{"key": "O1"}])
    await store.link("HAS_LINE", [{"from": "O1", "to": line["key"]} for line in LINES])
    big = [{"relation": "HAS_LINE", "where": {"lineTotal": {"gte": 26}}}]
    result = await store.traverse(["Order:O1"], big)
    assert sorted(entity.key for entity in result.reached) == ["L1", "L2"]


async def test_an_impact_exposure_may_be_a_computed_property(store: GraphStore) -> None:
    await load_logistics(store)
    (shipment,) = [spec for spec in ENTITY_TYPES if spec["name"] == "Shipment"]
    landed = {"name": "landedValue", "kind": "FLOAT", "computed": "round(value * 1.1, 2)"}
    await store.alter_entity_type({**shipment, "properties": [*shipment["properties"], landed]})
    registry = await store.registry()
    plan = replace(
        shipment_plan(registry, status=["IN_TRANSIT"]),
        exposure=StepProperty(1, "landedValue", PropertyKind.FLOAT),
    )
    rows = {row.target: row for row in await store.impact_rows(plan, "Warehouse:W1", as_of=AS_OF)}
    # S1 (100.0) and S2 (50.5) reach CA: 110.0 + 55.55
    assert rows["Customer:CA"].exposure == pytest.approx(165.55)
    assert rows["Customer:CA"].exposure_entities == 2


async def test_concurrent_writers_never_leave_a_stored_value_stale(store: GraphStore) -> None:
    await store.define_entity_type(order_line())

    async def writer(price: float) -> None:
        for quantity in range(1, 6):
            await store.upsert_entities(
                "OrderLine", [{"key": "L1", "unitPrice": price, "quantity": quantity}]
            )

    await asyncio.gather(*(writer(float(price)) for price in range(1, 9)))
    (line,) = await store.get_entities(["OrderLine:L1"])
    assert line is not None
    stored = line.properties
    assert stored["lineTotal"] == stored["unitPrice"] * stored["quantity"]
    assert stored["big"] is (stored["lineTotal"] > 100)
