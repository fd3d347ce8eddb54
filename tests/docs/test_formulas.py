"""The computed properties page (docs/formulas.md): its example definitions check, and
give the values the page says, on the reference evaluator."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest

from graph_crm.model.formula import (
    Formula,
    FormulaProblem,
    Parameters,
    Rollup,
    check_computed,
    compile_formula,
    evaluate_formula,
    evaluate_rollup,
)
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind, RelationType, parse_entity_type
from graph_crm.services.demo import DEMO_SEED as CROSSBORDER
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import data
from tests.docs.answers import load_demo
from tests.docs.blocks import doc_block
from tests.model.formula_cases import Links


def orders_registry() -> Registry:
    def entity(name: str, *properties: tuple[str, str]) -> Any:
        specs: list[dict[str, Any]] = [{"name": n, "kind": k} for n, k in properties]
        for spec in specs:
            if spec["kind"] == "ENUM":
                spec["values"] = ["OPEN", "CANCELLED"]
        return parse_entity_type({"name": name, "properties": specs})

    return Registry.from_definitions(
        1,
        [
            entity("Customer", ("name", "STRING")),
            entity("Order", ("orderDate", "DATE"), ("shippedDate", "DATE"), ("status", "ENUM")),
            entity("OrderLine", ("unitPrice", "FLOAT"), ("quantity", "INT"), ("discount", "FLOAT")),
            entity("Complaint", ("filedAt", "DATETIME")),
        ],
        [
            RelationType(name="PLACED", from_type="Customer", to_type="Order"),
            RelationType(name="HAS_LINE", from_type="Order", to_type="OrderLine"),
            RelationType(name="FILED", from_type="Customer", to_type="Complaint"),
        ],
    )


FIELDS: dict[str, dict[str, Any]] = {
    "acme": {"name": "Acme"},
    "o1": {"orderDate": date(2026, 1, 10), "shippedDate": date(2026, 1, 20), "status": "OPEN"},
    "o2": {"orderDate": date(2026, 2, 1), "status": "CANCELLED"},
    "l1": {"unitPrice": 9.99, "quantity": 3, "discount": 0.125},
    "l2": {"unitPrice": 2.5, "quantity": 4},
    "k1": {"filedAt": datetime(2026, 1, 15, 8, tzinfo=UTC)},
    "k2": {"filedAt": datetime(2025, 9, 1, tzinfo=UTC)},
}
LINKS = Links(
    {
        "PLACED": [("acme", "o1"), ("acme", "o2")],
        "HAS_LINE": [("o1", "l1"), ("o1", "l2")],
        "FILED": [("acme", "k1"), ("acme", "k2")],
    }
)
step, far_ends = LINKS.step, LINKS.far_ends
FieldsOf = Callable[[str], Mapping[str, Any]]


def checked_block(text: str) -> tuple[dict[tuple[str, str], Formula | Rollup], FieldsOf]:
    """A block's definitions as ``check_computed`` checks them on :func:`orders_registry`,
    and the fields of :data:`FIELDS`' entities with their lines' ``lineTotal`` (checked
    here: 26.22 and 10.0)."""
    definitions = json.loads(text)
    checked = check_computed(
        orders_registry(),
        {
            owner: {name: (raw, (owner, name)) for name, raw in properties.items()}
            for owner, properties in definitions.items()
        },
    )
    line_total = checked["OrderLine", "lineTotal"]
    assert isinstance(line_total, Formula)
    totals = {line: evaluate_formula(line_total, FIELDS[line]) for line in ("l1", "l2")}
    assert totals == {"l1": 26.22, "l2": 10.0}

    def fields_of(node: str) -> Mapping[str, Any]:
        # the order's value reads its lines' computed totals
        return {**FIELDS[node], **({"lineTotal": totals[node]} if node in totals else {})}

    return checked, fields_of


def test_the_pages_examples_check_and_give_the_values_it_describes() -> None:
    checked, fields_of = checked_block(doc_block("formulas-orders").text)

    def rolled(key: tuple[str, str], start: str, as_of: datetime | None = None) -> Any:
        rollup = checked[key]
        assert isinstance(rollup, Rollup)
        return evaluate_rollup(rollup, start, fields_of, step, far_ends, Parameters(as_of=as_of))

    assert rolled(("Order", "value"), "o1") == pytest.approx(36.22)
    assert rolled(("Order", "value"), "o2") == 0.0
    assert rolled(("Customer", "activeOrders"), "acme") == 1
    complaints = ("Customer", "recentComplaints")
    assert rolled(complaints, "acme", datetime(2026, 2, 1, tzinfo=UTC)) == 1
    assert rolled(complaints, "acme", datetime(2025, 11, 1, tzinfo=UTC)) == 1
    assert rolled(complaints, "acme", datetime(2025, 12, 31, tzinfo=UTC)) == 0

    open_as_of = checked["Order", "openAsOf"]
    assert isinstance(open_as_of, Formula)
    answers = [
        evaluate_formula(
            open_as_of, FIELDS["o1"], Parameters(as_of=datetime(2026, 1, d, tzinfo=UTC))
        )
        for d in (9, 10, 19, 20)
    ]
    assert answers == [False, True, True, False]
    days = checked["Order", "daysToShip"]
    assert isinstance(days, Formula)
    assert evaluate_formula(days, FIELDS["o1"]) == 10
    assert evaluate_formula(days, FIELDS["o2"]) is None


def test_the_pages_error_example_is_the_one_given() -> None:
    with pytest.raises(FormulaProblem) as caught:
        compile_formula(
            "unitPrice * quantity",
            {"unitPrice": PropertyKind.FLOAT, "quantity": PropertyKind.STRING},
            "OrderLine",
            ("properties", 3, "computed"),
        )
    assert str(caught.value) == (
        "INVALID_INPUT: `quantity` is STRING; `*` needs numbers (character 13) "
        "(at properties/3/computed)"
    )


async def test_the_pages_define_write_and_read_blocks_give_what_it_says(
    store: GraphStore,
) -> None:
    async with asgi_client(store) as client:
        defined = await data(client, doc_block("formulas-define").text)
        properties = defined["defineEntityType"]["entityType"]["properties"]
        assert properties[3] == {
            "name": "lineTotal",
            "kind": "FLOAT",
            "computed": "round(unitPrice * quantity * (1 - coalesce(discount, 0)), 2)",
        }
        written = await data(client, doc_block("formulas-write").text)
        assert written["upsertOrderLines"]["created"] == 3
        read = await data(client, doc_block("formulas-read").text)
    totals = [
        (edge["node"]["key"], edge["node"]["lineTotal"]) for edge in read["orderLines"]["edges"]
    ]
    assert totals == [("L2", 200.0), ("L1", 26.22)]


async def test_the_pages_rollup_blocks_give_what_it_says(store: GraphStore) -> None:
    async with asgi_client(store) as client:
        await data(client, doc_block("formulas-define").text)
        await data(client, doc_block("formulas-write").text)
        defined = await data(client, doc_block("formulas-rollup-define").text)
        (value,) = defined["alterEntityType"]["entityType"]["properties"]
        assert value["computed"] == {"rollup": "sum", "path": ["HAS_LINE"], "property": "lineTotal"}
        written = await data(client, doc_block("formulas-rollup-write").text)
        assert written["linkEntities"]["__typename"] == "WritePayload"
        read = await data(client, doc_block("formulas-rollup-read").text)
    values = [(edge["node"]["key"], edge["node"]["value"]) for edge in read["orders"]["edges"]]
    assert values == [("O1", 226.22), ("O2", 10.0)]  # as the page says


async def test_the_demos_value_band_is_what_the_page_says(store: GraphStore) -> None:
    """`valueBand` on the demo data (both backends) against the committed seed's values."""
    await load_demo(store)
    async with asgi_client(store) as client:
        answer = (await data(client, doc_block("formulas-demo").text))["shipments"]
    values = [
        entity["value"]
        for entity in json.loads(CROSSBORDER.read_text(encoding="utf-8"))["entities"]["Shipment"]
        if entity.get("value") is not None
    ]
    bands = Counter(
        "HIGH" if value >= 500_000 else "MEDIUM" if value >= 100_000 else "LOW" for value in values
    )
    assert answer["totalCount"] == bands["HIGH"] == 18  # as the page says
    top = sorted((value for value in values if value >= 500_000), reverse=True)[:5]
    assert [edge["node"]["value"] for edge in answer["edges"]] == top
    assert {edge["node"]["valueBand"] for edge in answer["edges"]} == {"HIGH"}


async def test_the_demos_in_transit_rollup_is_what_the_page_says(store: GraphStore) -> None:
    """`inTransitValue` on the demo data (both backends) against the committed seed."""
    await load_demo(store)
    async with asgi_client(store) as client:
        answer = (await data(client, doc_block("formulas-demo-rollup").text))["customers"]
    seed = json.loads(CROSSBORDER.read_text(encoding="utf-8"))
    shipments = {row["key"]: row for row in seed["entities"]["Shipment"]}
    totals: Counter[str] = Counter()
    for link in seed["links"]["FOR_CUSTOMER"]:
        shipment = shipments[link["from"]]
        if shipment.get("status") == "IN_TRANSIT" and shipment.get("value") is not None:
            totals[link["to"]] += shipment["value"]
    assert answer["totalCount"] == len(totals) == 335  # as the page says
    assert [(edge["node"]["key"], edge["node"]["inTransitValue"]) for edge in answer["edges"]] == [
        (key, pytest.approx(value)) for key, value in totals.most_common(5)
    ]
