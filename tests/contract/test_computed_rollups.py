"""Rollups stored and kept current in the writing transaction (both backends): after
upserts of far entities, links, unlinks, deletes of far and middle entities, definition
changes; never written by a client; refused at definition when they cannot be stored."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import GraphCrmError, InvalidInput
from graph_crm.store.base import GraphStore
from tests.contract.test_computed import LINES, order_line

VALUE = {"rollup": "sum", "path": ["HAS_LINE"], "property": "lineTotal"}


def order(**rollups: Any) -> dict[str, Any]:
    """Order with ``value`` and the given rollups (name -> (kind, rollup))."""
    more = rollups.pop("more", {})
    return {
        "name": "Order",
        "properties": [
            {"name": "status", "kind": "STRING"},
            {"name": "value", "kind": "FLOAT", "computed": VALUE},
            *(
                {"name": name, "kind": kind, "computed": rollup}
                for name, (kind, rollup) in more.items()
            ),
        ],
    }


async def define_orders(store: GraphStore, **more: Any) -> None:
    await store.define_entity_type(order_line())
    await store.define_entity_type(
        {"name": "Order", "properties": [{"name": "status", "kind": "STRING"}]}
    )
    await store.define_relation_type({"name": "HAS_LINE", "from": "Order", "to": "OrderLine"})
    await store.alter_entity_type(order(more=more))


async def rollup(
    store: GraphStore, name: str = "value", type_name: str = "Order"
) -> dict[str, Any]:
    page = await store.list_entities(type_name, first=100)
    return {entity.key: entity.properties.get(name) for entity in page.items}


async def test_order_value_follows_lines_links_and_deletes(store: GraphStore) -> None:
    await define_orders(store)
    await store.upsert_entities("OrderLine", LINES)
    await store.upsert_entities("Order", [{"key": "A"}, {"key": "B"}])
    # created owners get theirs: a sum of nothing is 0
    assert await rollup(store) == {"A": 0.0, "B": 0.0}
    await store.link("HAS_LINE", [{"from": "A", "to": "L1"}, {"from": "A", "to": "L2"}])
    assert await rollup(store) == {"A": 226.22, "B": 0.0}
    # a changed quantity on a far line
    await store.upsert_entities("OrderLine", [{"key": "L2", "unitPrice": 50.0, "quantity": 5}])
    assert await rollup(store) == {"A": 276.22, "B": 0.0}
    # a new line, written with its link in one batch
    await store.write_batch(
        {"OrderLine": [{"key": "L5", "unitPrice": 1.0, "quantity": 1}]},
        {"HAS_LINE": [{"from": "B", "to": "L5"}]},
    )
    assert await rollup(store) == {"A": 276.22, "B": 1.0}
    # relinked elsewhere: both orders move
    await store.unlink("HAS_LINE", [{"from": "A", "to": "L1"}])
    await store.link("HAS_LINE", [{"from": "B", "to": "L1"}])
    assert await rollup(store) == {"A": 250.0, "B": 27.22}
    # an upsert of the order itself keeps its value, and changes nothing if nothing did
    again = await store.upsert_entities("Order", [{"key": "A"}])
    assert again.unchanged == 1
    await store.upsert_entities("Order", [{"key": "A", "status": "OPEN"}])
    assert (await rollup(store))["A"] == 250.0
    # a deleted line leaves its order
    await store.delete_entities(["OrderLine:L2"])
    assert await rollup(store) == {"A": 0.0, "B": 27.22}


async def test_a_client_value_for_a_rollup_is_refused(store: GraphStore) -> None:
    await define_orders(store)
    with pytest.raises(GraphCrmError) as caught:
        await store.upsert_entities("Order", [{"key": "A", "value": 3.0}])
    assert caught.value.path == ("records", 0, "value")
    assert await rollup(store) == {}


async def test_count_with_where_and_min_max_avg_on_empty(store: GraphStore) -> None:
    await define_orders(
        store,
        big=("INT", {"rollup": "count", "path": ["HAS_LINE"], "where": {"lineTotal": {"gt": 100}}}),
        many=("INT", {"rollup": "count", "path": ["HAS_LINE"], "where": "quantity >= 3"}),
        low=("FLOAT", {"rollup": "min", "path": ["HAS_LINE"], "property": "lineTotal"}),
        high=("INT", {"rollup": "max", "path": ["HAS_LINE"], "property": "quantity"}),
        mean=("FLOAT", {"rollup": "avg", "path": ["HAS_LINE"], "property": "unitPrice"}),
    )
    await store.upsert_entities("OrderLine", LINES)
    await store.upsert_entities("Order", [{"key": "A"}, {"key": "E"}])
    await store.link("HAS_LINE", [{"from": "A", "to": k} for k in ("L1", "L2", "L3", "L4")])
    page = await store.list_entities("Order", first=10)
    got = {
        e.key: {n: e.properties.get(n) for n in ("big", "many", "low", "high", "mean")}
        for e in page.items
    }
    assert got["E"] == {"big": 0, "many": 0, "low": None, "high": None, "mean": None}
    assert got["A"] == {
        "big": 1,  # L2 (200.0); L4 has no total
        "many": 3,  # L1, L2, L4
        "low": 12.5,
        "high": 7,
        "mean": pytest.approx((9.99 + 50.0 + 12.5) / 3),
    }
    # a far entity that stops passing where is counted out
    await store.upsert_entities("OrderLine", [{"key": "L2", "unitPrice": 5.0, "quantity": 4}])
    (a,) = await store.get_entities(["Order:A"])
    assert a is not None
    assert a.properties["big"] == 0
    assert a.properties["many"] == 3


async def test_two_hops_and_deleting_the_middle(store: GraphStore) -> None:
    await store.define_entity_type(order_line())
    await store.define_entity_type({"name": "Order"})
    await store.define_entity_type({"name": "Customer"})
    await store.define_relation_type({"name": "HAS_LINE", "from": "Order", "to": "OrderLine"})
    await store.define_relation_type({"name": "PLACED", "from": "Customer", "to": "Order"})
    spent = {"rollup": "sum", "path": ["PLACED", "HAS_LINE"], "property": "lineTotal"}
    lines = {"rollup": "count", "path": ["PLACED", {"relation": "HAS_LINE", "direction": "out"}]}
    await store.alter_entity_type(
        {
            "name": "Customer",
            "properties": [
                {"name": "spent", "kind": "FLOAT", "computed": spent},
                {"name": "lines", "kind": "INT", "computed": lines},
            ],
        }
    )
    await store.write_batch(
        {"OrderLine": LINES, "Order": [{"key": "O1"}, {"key": "O2"}], "Customer": [{"key": "C"}]},
        {
            "HAS_LINE": [
                {"from": "O1", "to": "L1"},
                {"from": "O2", "to": "L2"},
                {"from": "O2", "to": "L1"},
            ],
            "PLACED": [{"from": "C", "to": "O1"}, {"from": "C", "to": "O2"}],
        },
    )
    # L1 is reached twice: counted once
    (c,) = await store.get_entities(["Customer:C"])
    assert c is not None
    assert (c.properties["spent"], c.properties["lines"]) == (226.22, 2)
    await store.delete_entities(["Order:O2"])
    (c,) = await store.get_entities(["Customer:C"])
    assert c is not None
    assert (c.properties["spent"], c.properties["lines"]) == (26.22, 1)
    await store.delete_entities(["OrderLine:L1"])
    (c,) = await store.get_entities(["Customer:C"])
    assert c is not None
    assert (c.properties["spent"], c.properties["lines"]) == (0.0, 0)


async def test_a_rollup_filters_and_sorts_a_page(store: GraphStore) -> None:
    await define_orders(store)
    await store.upsert_entities("OrderLine", LINES)
    await store.upsert_entities("Order", [{"key": k} for k in ("A", "B", "C")])
    await store.link(
        "HAS_LINE",
        [{"from": "A", "to": "L1"}, {"from": "B", "to": "L2"}, {"from": "C", "to": "L3"}],
    )
    page = await store.list_entities("Order", where={"value": {"gt": 20}}, order_by=["-value"])
    assert [(e.key, e.properties["value"]) for e in page.items] == [("B", 200.0), ("A", 26.22)]


async def test_defining_or_altering_a_rollup_computes_it_for_stored_data(store: GraphStore) -> None:
    await store.define_entity_type(order_line())
    await store.define_entity_type(
        {"name": "Order", "properties": [{"name": "status", "kind": "STRING"}]}
    )
    await store.define_relation_type({"name": "HAS_LINE", "from": "Order", "to": "OrderLine"})
    await store.upsert_entities("OrderLine", LINES)
    await store.upsert_entities("Order", [{"key": "A"}, {"key": "B"}])
    await store.link("HAS_LINE", [{"from": "A", "to": "L1"}, {"from": "A", "to": "L2"}])
    await store.alter_entity_type(order())
    assert await rollup(store) == {"A": 226.22, "B": 0.0}
    # the far formula changes: the rollup over it follows
    await store.alter_entity_type(order_line(total="unitPrice * quantity"))
    assert await rollup(store) == {"A": pytest.approx(229.97), "B": 0.0}
    # the rollup itself changes
    count = {"rollup": "count", "path": ["HAS_LINE"]}
    changed = order()
    changed["properties"][1] = {"name": "value", "kind": "INT", "computed": count}
    await store.alter_entity_type(changed)
    assert await rollup(store) == {"A": 2, "B": 0}


@pytest.mark.parametrize(
    ("value", "where", "expected"),
    [
        ({**VALUE, "where": "quantity > 1 AND $asOf IS NOT NULL"}, ("where",), "impact policy"),
        ({**VALUE, "where": "add_days(now(), 1) IS NULL"}, ("where",), "impact policy"),
        ({**VALUE, "where": "createdAt IS NOT NULL"}, ("where",), "cannot read createdAt"),
        ({**VALUE, "where": {"updatedAt": {"isNull": False}}}, ("where",), "updatedAt"),
        (
            {**VALUE, "path": ["HAS_LINE`]->(x) DETACH DELETE x //"]},
            ("path", 0),
            "no relation type",
        ),
        ({**VALUE, "property": "lineTotal} DETACH DELETE n"}, ("property",), "has no property"),
        (
            {**VALUE, "path": [{"relation": "HAS_LINE", "direction": "BOTH'"}]},
            ("path", 0, "direction"),
            "OUT or IN",
        ),
        ({**VALUE, "where": {"quantity`": {"gt": 1}}}, ("where",), ""),
        ({**VALUE, "where": "quantity > 1; MATCH (n) DETACH DELETE n"}, ("where",), ""),
    ],
)
async def test_a_rollup_that_cannot_be_stored_or_is_hostile_is_refused_at_its_path(
    store: GraphStore, value: Any, where: tuple[Any, ...], expected: str
) -> None:
    await store.define_entity_type(order_line())
    await store.define_entity_type({"name": "Order"})
    await store.define_relation_type({"name": "HAS_LINE", "from": "Order", "to": "OrderLine"})
    with pytest.raises(GraphCrmError) as caught:
        await store.alter_entity_type(
            {"name": "Order", "properties": [{"name": "value", "kind": "FLOAT", "computed": value}]}
        )
    assert expected in caught.value.message
    assert caught.value.path[: 3 + len(where)] == ("properties", 0, "computed", *where)
    assert (await store.registry()).entity_type("Order").properties == ()


async def test_a_rollup_over_a_rollup_is_refused(store: GraphStore) -> None:
    await define_orders(store)
    await store.define_entity_type({"name": "Customer"})
    await store.define_relation_type({"name": "PLACED", "from": "Customer", "to": "Order"})
    doubled = order()
    doubled["properties"].append({"name": "twice", "kind": "FLOAT", "computed": "value * 2"})
    await store.alter_entity_type(doubled)
    for aggregated in ("value", "twice"):  # a rollup, and a formula that reads one
        total = {"rollup": "sum", "path": ["PLACED"], "property": aggregated}
        with pytest.raises(InvalidInput) as caught:
            await store.alter_entity_type(
                {
                    "name": "Customer",
                    "properties": [{"name": "total", "kind": "FLOAT", "computed": total}],
                }
            )
        assert "rollup over another rollup" in caught.value.message
        assert caught.value.path == ("properties", 0, "computed", "property")


async def test_a_formula_over_a_rollup_follows_it(store: GraphStore) -> None:
    await define_orders(store)
    await store.upsert_entities("OrderLine", LINES)
    await store.upsert_entities("Order", [{"key": "A", "status": "OPEN"}, {"key": "B"}])
    await store.link("HAS_LINE", [{"from": "A", "to": "L1"}])
    banded = order()
    banded["properties"] += [
        {"name": "band", "kind": "STRING", "computed": "if(value > 100, 'HIGH', 'LOW')"},
        {"name": "label", "kind": "STRING", "computed": "concat(key, '/', band)"},
    ]
    # defined on a type with data: worked out for every order, after the rollup
    await store.alter_entity_type(banded)
    assert await rollup(store, "label") == {"A": "A/LOW", "B": "B/LOW"}
    await store.link("HAS_LINE", [{"from": "A", "to": "L2"}])
    assert await rollup(store, "label") == {"A": "A/HIGH", "B": "B/LOW"}
    # an upsert of the order, changed or not, keeps it right
    assert (await store.upsert_entities("Order", [{"key": "A", "status": "OPEN"}])).unchanged == 1
    await store.upsert_entities("Order", [{"key": "A"}])
    assert await rollup(store, "band") == {"A": "HIGH", "B": "LOW"}
    await store.delete_entities(["OrderLine:L2"])
    assert await rollup(store, "band") == {"A": "LOW", "B": "LOW"}
    with pytest.raises(GraphCrmError) as caught:
        await store.upsert_entities("Order", [{"key": "B", "band": "HIGH"}])
    assert caught.value.path == ("records", 0, "band")


async def test_a_rollup_follows_a_relation_in_and_a_relation_to_its_own_type(
    store: GraphStore,
) -> None:
    await store.define_entity_type({"name": "Org", "properties": [{"name": "size", "kind": "INT"}]})
    await store.define_relation_type({"name": "PARENT_OF", "from": "Org", "to": "Org"})
    parents = {"rollup": "count", "path": [{"relation": "PARENT_OF", "direction": "IN"}]}
    staff = {"rollup": "sum", "path": ["PARENT_OF", "PARENT_OF"], "property": "size"}
    await store.alter_entity_type(
        {
            "name": "Org",
            "properties": [
                {"name": "size", "kind": "INT"},
                {"name": "parents", "kind": "INT", "computed": parents},
                {"name": "grandchildrenSize", "kind": "INT", "computed": staff},
            ],
        }
    )
    await store.upsert_entities(
        "Org", [{"key": k, "size": n} for k, n in zip("ABCD", (1, 2, 3, 4), strict=True)]
    )
    await store.link(
        "PARENT_OF",
        [{"from": "A", "to": "B"}, {"from": "B", "to": "C"}, {"from": "B", "to": "D"}],
    )
    await store.link("PARENT_OF", [{"from": "D", "to": "C"}])
    got = {
        e.key: (e.properties["parents"], e.properties["grandchildrenSize"])
        for e in (await store.list_entities("Org")).items
    }
    # C has parents B and D; A's grandchildren are C and D (C reached twice: once)
    assert got == {"A": (0, 7), "B": (1, 3), "C": (2, 0), "D": (1, 0)}
    await store.upsert_entities("Org", [{"key": "C", "size": 10}])
    await store.delete_entities(["Org:D"])
    got = {
        e.key: (e.properties["parents"], e.properties["grandchildrenSize"])
        for e in (await store.list_entities("Org")).items
    }
    assert got == {"A": (0, 10), "B": (1, 0), "C": (1, 0)}
