"""The README's Expressions section and the policies page's conditions on a report's time:
the examples check, and an open-orders policy answers for each as-of time (both backends)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from graph_crm.model.formula import (
    Parameters,
    Rollup,
    evaluate_rollup,
)
from graph_crm.services.impact_report import impact_report
from graph_crm.store.base import GraphStore
from tests.contract.orders import define_order_types
from tests.docs.blocks import doc_block
from tests.docs.test_formulas import checked_block, far_ends, step


def test_the_readmes_expressions_check_and_give_their_values() -> None:
    checked, fields_of = checked_block(doc_block("readme-expressions").text)
    value = checked["Order", "value"]
    assert isinstance(value, Rollup)
    assert evaluate_rollup(value, "o1", fields_of, step, far_ends) == pytest.approx(36.22)
    complaints = checked["Customer", "recentComplaints"]
    assert isinstance(complaints, Rollup)
    counts = [
        evaluate_rollup(complaints, "acme", fields_of, step, far_ends, Parameters(as_of=as_of))
        for as_of in (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))
    ]
    assert counts == [1, 0]  # k1 (2026-01-15) is within 90 days of February, not of June


ORDERS = [  # key, customer, ordered, shipped
    ("O1", "C1", date(2026, 3, 1), date(2026, 3, 4)),
    ("O2", "C2", date(2026, 3, 3), None),
    ("O3", "C3", date(2026, 3, 10), date(2026, 3, 11)),
]
#: as of -> the customers with an order open then (a DATE is the start of its day, UTC)
OPEN = {
    "2026-03-02": ["Customer:C1"],
    "2026-03-05": ["Customer:C2"],
    "2026-03-10T12:00:00Z": ["Customer:C2", "Customer:C3"],
    "2026-03-11": ["Customer:C2"],
}


async def load_orders(store: GraphStore) -> None:
    await define_order_types(
        store, "Supplier", {"name": "SUPPLIES", "from": "Supplier", "to": "Order"}
    )
    await store.upsert_entities("Supplier", [{"key": "S1"}])
    await store.upsert_entities("Customer", [{"key": c} for c in ("C1", "C2", "C3")])
    await store.upsert_entities(
        "Order",
        [
            {"key": key, "orderDate": ordered.isoformat(), "amount": 100}
            | ({} if shipped is None else {"shippedDate": shipped.isoformat()})
            for key, _, ordered, shipped in ORDERS
        ],
    )
    await store.link("SUPPLIES", [{"from": "S1", "to": key} for key, *_ in ORDERS])
    await store.link("PLACED", [{"from": customer, "to": key} for key, customer, *_ in ORDERS])


async def affected(store: GraphStore) -> dict[str, list[str]]:
    found = {}
    for as_of in OPEN:
        report = await impact_report(store, source="Supplier:S1", as_of=as_of, limit=100)
        found[as_of] = sorted(target.target for target in report.targets)
    return found


async def test_an_open_as_of_policy_answers_for_every_date(store: GraphStore) -> None:
    await load_orders(store)
    policy = json.loads(doc_block("policy-open-as-of").text)
    # the README's step is the page's
    assert policy["steps"][0] == json.loads(doc_block("readme-open-as-of").text)
    await store.define_impact_policy(policy)
    assert await affected(store) == OPEN
    # the same condition in the filter language gives the same answers
    policy["steps"][0]["where"] = json.loads(doc_block("policy-open-as-of-filter").text)
    await store.alter_impact_policy(policy)
    assert await affected(store) == OPEN
