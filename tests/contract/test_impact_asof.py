"""Policies whose conditions read the report's ``$asOf`` and ``$delayDays`` (both backends).

A seeded random set of orders (``orderDate``, some shipped on a later ``shippedDate``,
some never) placed by customers through one warehouse; each policy's affected customers
and exposures at several as-of times are checked against a brute force in plain Python
that reads the dates as the docs say: a DATE is the start of its day, UTC. No order has a
stored status: "open as of" is worked out from the dates for each report.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from graph_crm.errors import GraphCrmError, InvalidInput
from graph_crm.impact.policy import compile_policy
from graph_crm.services.impact_report import impact_report
from graph_crm.store.base import GraphStore
from tests.contract.orders import ORDER_TYPE, define_order_types

SHIPS_FROM = {"name": "SHIPS_FROM", "from": "Order", "to": "Warehouse"}
OPEN_AS_OF = "orderDate <= $asOf AND (shippedDate IS NULL OR shippedDate > $asOf)"
AS_OFS = [
    datetime(2026, 3, 1, tzinfo=UTC),
    datetime(2026, 3, 5, 12, tzinfo=UTC),
    datetime(2026, 3, 8, tzinfo=UTC),
    datetime(2026, 3, 12, 23, 59, 59, tzinfo=UTC),
    datetime(2026, 3, 30, tzinfo=UTC),
]


@dataclass(frozen=True)
class Order:
    key: str
    customer: int
    order_date: date
    shipped_date: date | None
    amount: int | None


def _orders(seed: int = 17, count: int = 60) -> list[Order]:
    rng = random.Random(seed)
    found = []
    for i in range(count):
        ordered = date(2026, 3, 1) + timedelta(days=rng.randrange(20))
        shipped = None if rng.random() < 0.3 else ordered + timedelta(days=rng.randrange(8))
        amount = None if rng.random() < 0.15 else rng.randrange(0, 90)
        found.append(Order(f"O{i}", rng.randrange(8), ordered, shipped, amount))
    return found


ORDERS = _orders()


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _whole_days(start: datetime, end: datetime) -> int:
    micro = (end - start) // timedelta(microseconds=1)
    days = abs(micro) // 86_400_000_000
    return days if micro >= 0 else -days


def _half_up(value: float) -> float:
    return float(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


Check = Callable[[Order, datetime, int], bool]


def _open(order: Order, as_of: datetime, _delay: int) -> bool:
    shipped = order.shipped_date
    return _start(order.order_date) <= as_of and (shipped is None or _start(shipped) > as_of)


def _late(order: Order, as_of: datetime, delay: int) -> bool:
    # a delay pushes an open order's arrival past a week after it was placed
    return _open(order, as_of, delay) and (
        _whole_days(_start(order.order_date), as_of) + delay >= 7
    )


def _strict(order: Order, as_of: datetime, _delay: int) -> bool:
    shipped = order.shipped_date
    return _start(order.order_date) < as_of and shipped is not None and _start(shipped) >= as_of


def _big(order: Order, as_of: datetime, _delay: int) -> bool:
    amount = order.amount
    if amount is None or _start(order.order_date) > as_of:
        return False
    return amount / 4 > 10.5 and _half_up(amount * 1.5) >= 70


#: (where, the same condition in plain Python)
CONDITIONS: list[tuple[Any, Check]] = [
    (OPEN_AS_OF, _open),
    (
        {
            "orderDate": {"lte": "$asOf"},
            "or": [{"shippedDate": {"isNull": True}}, {"shippedDate": {"gt": "$asOf"}}],
        },
        _open,
    ),
    ({"orderDate": {"lt": "$asOf"}, "shippedDate": {"gte": "$asOf"}}, _strict),
    (
        f"({OPEN_AS_OF}) AND days_between(orderDate, $asOf) + $delayDays >= 7",
        _late,
    ),
    (
        "add_days(orderDate, 0) <= $asOf AND "
        "CASE WHEN amount / 4 > 10.5 THEN round(amount * 1.5) >= 70 ELSE false END",
        _big,
    ),
]


def policy(where: Any, name: str = "open-orders") -> dict[str, Any]:
    return {
        "name": name,
        "source": "Warehouse",
        "target": "Customer",
        "steps": [
            {"relation": "SHIPS_FROM", "direction": "IN", "where": where},
            {"relation": "PLACED", "direction": "IN"},
        ],
        "signals": {
            "exposure": {"step": 1, "property": "amount", "currency": "EUR"},
            "sla": {"step": 1, "property": "dueDate"},
        },
        "scoring": {"exposureReference": 1000},
        "tiers": [{"tier": "T1", "label": "Open orders", "when": {}}],
    }


async def load_orders(store: GraphStore) -> None:
    await define_order_types(store, "Warehouse", SHIPS_FROM)
    await store.upsert_entities("Warehouse", [{"key": "W1"}])
    await store.upsert_entities("Customer", [{"key": f"C{i}"} for i in range(8)])
    records = []
    for order in ORDERS:
        record: dict[str, Any] = {"key": order.key, "orderDate": order.order_date.isoformat()}
        if order.shipped_date is not None:
            record["shippedDate"] = order.shipped_date.isoformat()
        if order.amount is not None:
            record["amount"] = order.amount
        records.append(record)
    await store.upsert_entities("Order", records)
    await store.link("SHIPS_FROM", [{"from": order.key, "to": "W1"} for order in ORDERS])
    await store.link("PLACED", [{"from": f"C{o.customer}", "to": o.key} for o in ORDERS])


def brute_force(check: Check, as_of: datetime, delay: int) -> dict[str, float]:
    """Affected customer -> exposure (amounts of its distinct matching orders)."""
    found: dict[str, float] = {}
    for order in ORDERS:
        if check(order, as_of, delay):
            target = f"Customer:C{order.customer}"
            found[target] = found.get(target, 0.0) + (order.amount or 0)
    return found


@pytest.mark.parametrize(("where", "check"), CONDITIONS)
async def test_a_policy_on_asof_gives_the_brute_force_set_at_every_asof(
    store: GraphStore, where: Any, check: Check
) -> None:
    await load_orders(store)
    plan = compile_policy(await store.registry(), policy(where)).plan
    seen = set()
    for as_of in AS_OFS:
        for delay in (0, 3):
            rows = await store.impact_rows(plan, "Warehouse:W1", as_of=as_of, delay_days=delay)
            got = {row.target: row.exposure for row in rows}
            assert got == brute_force(check, as_of, delay), (as_of, delay)
            seen.add(frozenset(got))
    assert len(seen) >= 3  # the as-of time changes the answer: the test can fail


async def test_an_open_as_of_report_needs_no_stored_status(store: GraphStore) -> None:
    await load_orders(store)
    await store.define_impact_policy(policy(OPEN_AS_OF))
    for as_of in AS_OFS:
        report = await impact_report(
            store, source="Warehouse:W1", as_of=as_of.isoformat(), limit=100
        )
        expected = brute_force(_open, as_of, 0)
        assert {target.target for target in report.targets} == set(expected)
        assert report.totals.affected == len(expected)


async def test_an_sla_buffer_from_a_date_counts_from_the_start_of_that_day_utc(
    store: GraphStore,
) -> None:
    await load_orders(store)
    await store.upsert_entities("Order", [{"key": "O0", "orderDate": "2026-03-01",
                                           "dueDate": "2026-03-12"}])  # fmt: skip
    await store.define_impact_policy(policy({"orderDate": {"lte": "$asOf"}}))
    report = await impact_report(
        store, source="Warehouse:W1", as_of="2026-03-10T12:00:00Z", limit=100
    )
    (target,) = [t for t in report.targets if t.target == f"Customer:C{ORDERS[0].customer}"]
    # 2026-03-12 is 2026-03-12T00:00Z: 1.5 days after the as-of time, not 2 or 2.5
    assert target.sla_buffer_days == pytest.approx(1.5)


async def test_a_whole_delay_is_needed_by_a_formula_reading_delaydays(
    store: GraphStore,
) -> None:
    await load_orders(store)
    plan = compile_policy(await store.registry(), policy(CONDITIONS[3][0])).plan
    with pytest.raises(InvalidInput) as refused:
        await store.impact_rows(plan, "Warehouse:W1", as_of=AS_OFS[1], delay_days=2.5)
    assert refused.value.path == ("delayDays",)


HOSTILE_FORMULAS = [
    "orderDate <= $asOf) MATCH (n) DETACH DELETE n //",
    "orderDate <= $asOf AND `x` = 1",
    'note = "x"',
    "{end",
    "orderDate <= $asOf} RETURN 1 //",
    "$asOf2 > orderDate",
    "$asOf",
    "now() > orderDate",
    "amount + 1",
    "nope = 1",
    "orderDate - shippedDate > 2",
    "orderDate <= $asOf; DROP TABLE entities",
    "note = 'a' /* comment */",
    "(" * 200 + "true" + ")" * 200,
    "note = '\x00'",
    "x" * 5000,
]


@pytest.mark.parametrize("text", HOSTILE_FORMULAS)
async def test_a_hostile_where_formula_is_refused_at_its_path(store: GraphStore, text: str) -> None:
    await load_orders(store)
    before = await store.registry()
    with pytest.raises(GraphCrmError) as refused:
        await store.define_impact_policy(policy(text))
    assert refused.value.code in ("INVALID_INPUT", "LIMIT_EXCEEDED")
    assert refused.value.path[:3] == ("steps", 0, "where")
    after = await store.registry()
    assert after.version == before.version
    assert not after.policies


HOSTILE_FILTERS: list[tuple[Any, tuple[Any, ...]]] = [
    ({"x` DETACH DELETE n //": {"eq": 1}}, ("steps", 0, "where")),
    ({"orderDate": {"lte": "$asOf` OR true"}}, ("steps", 0, "where", "orderDate", "lte")),
    ({"note": {"eq": "$asOf"}}, ("steps", 0, "where", "note", "eq")),
    ({"orderDate": {"eq": "$asOf"}}, ("steps", 0, "where", "orderDate", "eq")),
    ({"orderDate": {"in": ["$asOf"]}}, ("steps", 0, "where", "orderDate", "in")),
    ({"amount": {"gt": "$asOf"}}, ("steps", 0, "where", "amount", "gt")),
    ({"orderDate": {"gt": "$delayDays"}}, ("steps", 0, "where", "orderDate", "gt")),
]


@pytest.mark.parametrize(("where", "path"), HOSTILE_FILTERS)
async def test_a_hostile_where_filter_is_refused_at_its_path(
    store: GraphStore, where: Any, path: tuple[Any, ...]
) -> None:
    await load_orders(store)
    with pytest.raises(GraphCrmError) as refused:
        await store.define_impact_policy(policy(where))
    assert refused.value.code in ("INVALID_INPUT", "UNKNOWN_PROPERTY")
    assert refused.value.path[: len(path)] == path
    assert not (await store.registry()).policies


async def test_hostile_text_in_a_formula_literal_is_only_a_value(store: GraphStore) -> None:
    await load_orders(store)
    await store.upsert_entities(
        "Order", [{"key": "O1", "orderDate": "2026-03-01", "note": "x'}) DETACH DELETE n //"}]
    )
    where = "note = 'x''}) DETACH DELETE n //' AND orderDate <= $asOf"
    await store.define_impact_policy(policy(where))
    report = await impact_report(store, source="Warehouse:W1", as_of="2026-03-10", limit=100)
    assert [t.target for t in report.targets] == [f"Customer:C{ORDERS[1].customer}"]
    assert (await store.counts()).entities["Order"] == len(ORDERS)


async def test_a_type_change_that_breaks_a_condition_is_refused_naming_the_policy(
    store: GraphStore,
) -> None:
    await define_order_types(store, "Warehouse", SHIPS_FROM)
    await store.define_impact_policy(policy(OPEN_AS_OF))
    kept = [spec for spec in ORDER_TYPE["properties"] if spec["name"] != "shippedDate"]
    without_shipped = {**ORDER_TYPE, "properties": kept}
    with pytest.raises(GraphCrmError) as refused:
        await store.alter_entity_type(without_shipped)
    assert refused.value.code == "INCOMPATIBLE_CHANGE"
    assert "open-orders" in refused.value.message
    assert "shippedDate" in refused.value.message


async def test_asof_inside_a_relation_quantifier_is_bound_too(store: GraphStore) -> None:
    await load_orders(store)
    spec = policy(None)
    # customers with some order still to ship after the report's as-of time
    spec["steps"][1]["where"] = {"PLACED": {"some": {"shippedDate": {"gt": "$asOf"}}}}
    plan = compile_policy(await store.registry(), spec).plan
    answers = set()
    for as_of in AS_OFS:
        shipping_later = {
            order.customer
            for order in ORDERS
            if order.shipped_date is not None and _start(order.shipped_date) > as_of
        }
        expected = {
            f"Customer:C{customer}": float(
                sum(o.amount or 0 for o in ORDERS if o.customer == customer)
            )
            for customer in shipping_later
        }
        rows = await store.impact_rows(plan, "Warehouse:W1", as_of=as_of)
        assert {row.target: row.exposure for row in rows} == expected, as_of
        answers.add(frozenset(expected))
    assert len(answers) >= 2  # the as-of time changes who has an order to ship
