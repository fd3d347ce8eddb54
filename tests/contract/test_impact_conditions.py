"""A policy's where formula evaluated by each backend equals the reference evaluator.

Formulas over random orders (INT, FLOAT, STRING, DATE and DATETIME properties, some
missing) that exercise each row of docs/formulas.md's semantics table a condition can
reach: division, rounding half away from zero, null propagation, INT and FLOAT
alternatives, strings, DATE against DATETIME, days_between and add_days. The reference
is :func:`graph_crm.model.formula.evaluate_formula` over the same records, as written.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from graph_crm.impact.policy import compile_policy
from graph_crm.model.formula import EvaluationFailed, Parameters, evaluate_formula
from graph_crm.model.formula.formula import compile_formula
from graph_crm.model.types import PropertyKind
from graph_crm.store.base import GraphStore

K = PropertyKind
KINDS = {
    "key": K.STRING,
    "amount": K.INT,
    "weight": K.FLOAT,
    "note": K.STRING,
    "orderDate": K.DATE,
    "shippedAt": K.DATETIME,
}
AS_OF = datetime(2026, 3, 10, 12, tzinfo=UTC)
FORMULAS = [
    "round(weight, 1) = 2.5 OR round(weight, 1) = -2.5",
    "round(weight) >= 3",
    "coalesce(amount, 0) * 1.5 > weight * 10",
    "if(amount IS NULL, 0, amount) / 7 >= 5.5",
    "amount / (amount - 40) > 1",
    "note || '-' || key = 'a-O3' OR concat(note, 'x') = 'bx'",
    "days_between($asOf, add_days(orderDate, 3)) > 0",
    "days_between(shippedAt, $asOf) >= $delayDays",
    "days_between(shippedAt, $asOf) = -1 OR days_between($asOf, shippedAt) = 2",
    "shippedAt > orderDate AND shippedAt <= $asOf",
    "orderDate = add_days(shippedAt, -2) OR shippedAt = $asOf",
    "NOT (amount > 40) OR weight IS NULL",
    "-amount < -30",
    "CASE WHEN amount > 50 THEN 1 WHEN amount > 20 THEN 2.5 END >= 2",
    "if(weight > 2, amount, weight) > 2.5",
    "note < 'b' AND note >= 'a'",
]


def _records(seed: int = 7, count: int = 40) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for i in range(count):
        record: dict[str, Any] = {"key": f"O{i}"}
        if rng.random() < 0.85:
            record["amount"] = rng.randrange(0, 90)
        if rng.random() < 0.85:
            record["weight"] = rng.choice([2.45, -2.45, 2.5, -2.5, 2.55, 0.15, 3.0, 9.99])
        if rng.random() < 0.8:
            record["note"] = rng.choice(["a", "b", "ab", "", "é", "Z"])
        ordered = date(2026, 3, 1) + timedelta(days=rng.randrange(14))
        record["orderDate"] = ordered
        if rng.random() < 0.8:
            hours = rng.choice([0, 12, 36, 48, 60, 200, 216, 260, 283])
            record["shippedAt"] = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(hours=hours)
        records.append(record)
    records[0] |= {"shippedAt": AS_OF}  # the same instant as the as-of time
    records[3] |= {"note": "a"}
    return records


RECORDS = _records()


def policy(where: str) -> dict[str, Any]:
    return {
        "name": "conditions",
        "source": "Warehouse",
        "target": "Order",
        "steps": [{"relation": "SHIPS_FROM", "direction": "IN", "where": where}],
        "tiers": [{"tier": "T1", "label": "Any", "when": {}}],
    }


async def load(store: GraphStore) -> None:
    await store.define_entity_type({"name": "Warehouse"})
    properties = [{"name": name, "kind": kind.value} for name, kind in KINDS.items()]
    await store.define_entity_type({"name": "Order", "properties": properties[1:]})
    await store.define_relation_type({"name": "SHIPS_FROM", "from": "Order", "to": "Warehouse"})
    await store.upsert_entities("Warehouse", [{"key": "W1"}])
    written = [
        {name: v.isoformat() if isinstance(v, date) else v for name, v in record.items()}
        for record in RECORDS
    ]
    await store.upsert_entities("Order", written)
    await store.link("SHIPS_FROM", [{"from": record["key"], "to": "W1"} for record in RECORDS])


@pytest.mark.parametrize("text", FORMULAS)
async def test_a_where_formula_keeps_what_the_reference_evaluator_keeps(
    store: GraphStore, text: str
) -> None:
    await load(store)
    plan = compile_policy(await store.registry(), policy(text)).plan
    formula = compile_formula(text, KINDS, "Order")
    for delay in (0, 2):
        given = Parameters(as_of=AS_OF, delay_days=delay)
        expected = {
            f"Order:{record['key']}"
            for record in RECORDS
            if evaluate_formula(formula, record, given) is True
        }
        rows = await store.impact_rows(plan, "Warehouse:W1", as_of=AS_OF, delay_days=delay)
        assert {row.target for row in rows} == expected, (text, delay)


async def test_a_condition_that_cannot_be_computed_fails_on_both_backends(
    store: GraphStore,
) -> None:
    await load(store)
    text = "amount * 9223372036854775807 > 0"
    plan = compile_policy(await store.registry(), policy(text)).plan
    with pytest.raises(EvaluationFailed):
        await store.impact_rows(plan, "Warehouse:W1", as_of=AS_OF)
    huge = "weight * 1e308 * 10 > 0"
    plan = compile_policy(await store.registry(), policy(huge)).plan
    with pytest.raises(EvaluationFailed):
        await store.impact_rows(plan, "Warehouse:W1", as_of=AS_OF)
