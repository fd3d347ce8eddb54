"""The rollup part of ``bench.computed``: a page on a stored rollup next to a stored
property, and the cost of keeping a rollup current on link.

On the embedded store, ``orders`` Orders of two OrderLines each. Order has a stored FLOAT
``amount`` written by the client and, on one store, the rollup ``value =
sum(HAS_LINE → OrderLine.lineTotal)`` (equal values). Measured: ``list_entities`` on
Orders filtered (``> 1000``) and sorted (descending) on each, first 50, taking turns
(median and p95); and ``link`` of every line to its order in batches of ``BATCH``, on a
store with the rollup and on one without (links/s).
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from graph_crm.model.formula import compile_formula, evaluate_formula
from graph_crm.model.types import PropertyKind as K
from graph_crm.store.embedded.store import EmbeddedStore

FORMULA = "round(unitPrice * quantity * (1 - coalesce(discount, 0)), 2)"
VALUE = {"rollup": "sum", "path": ["HAS_LINE"], "property": "lineTotal"}
BATCH = 5_000
#: Order lines whose total is a formula (bench.computed_exposure's too).
ORDER_LINE: dict[str, Any] = {
    "name": "OrderLine",
    "properties": [
        {"name": "unitPrice", "kind": "FLOAT"},
        {"name": "quantity", "kind": "INT"},
        {"name": "discount", "kind": "FLOAT"},
        {"name": "lineTotal", "kind": "FLOAT", "computed": FORMULA},
    ],
}
Timed = Callable[[list[Callable[[], Awaitable[Any]]], int], Awaitable[list[list[float]]]]


async def _store(path: Path, rollup: bool) -> EmbeddedStore:
    store = await EmbeddedStore.open(path)
    await store.define_entity_type(ORDER_LINE)
    await store.define_entity_type(
        {"name": "Order", "properties": [{"name": "amount", "kind": "FLOAT"}]}
    )
    await store.define_relation_type({"name": "HAS_LINE", "from": "Order", "to": "OrderLine"})
    if rollup:
        await store.alter_entity_type(
            {
                "name": "Order",
                "properties": [
                    {"name": "amount", "kind": "FLOAT"},
                    {"name": "value", "kind": "FLOAT", "computed": VALUE},
                ],
            }
        )
    return store


async def _load(
    store: EmbeddedStore,
    lines: list[dict[str, Any]],
    orders: list[dict[str, Any]],
    links: list[dict[str, str]],
) -> float:
    """Write the lines and orders, then time the links (links/s)."""
    for rows, type_name in ((lines, "OrderLine"), (orders, "Order")):
        for at in range(0, len(rows), BATCH):
            await store.upsert_entities(type_name, rows[at : at + BATCH])
    start = time.perf_counter()
    for at in range(0, len(links), BATCH):
        await store.link("HAS_LINE", links[at : at + BATCH])
    return len(links) / (time.perf_counter() - start)


def _graph(count: int, rows: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    """``count`` orders of two of ``rows`` each, their stored ``amount`` the sum the
    rollup computes; and the links."""
    total = compile_formula(
        FORMULA, {"unitPrice": K.FLOAT, "quantity": K.INT, "discount": K.FLOAT}, "OrderLine"
    )
    orders: list[dict[str, Any]] = []
    links: list[dict[str, str]] = []
    for index in range(count):
        mine = rows[2 * index : 2 * index + 2]
        amount = math.fsum(evaluate_formula(total, row) for row in mine)
        orders.append({"key": f"O{index:07d}", "amount": amount})
        links.extend({"from": f"O{index:07d}", "to": row["key"]} for row in mine)
    return orders, links


async def rollup_results(
    count: int,
    rows: list[dict[str, Any]],
    rounds: int,
    timed: Timed,
    summary: Callable[[list[float]], dict[str, float]],
) -> dict[str, Any]:
    lines = [{k: v for k, v in row.items() if k != "amount"} for row in rows[: 2 * count]]
    orders, links = _graph(min(count, len(lines) // 2), lines)
    results: dict[str, Any] = {"rollup orders": len(orders)}
    with tempfile.TemporaryDirectory() as tmp:
        plain = await _store(Path(tmp) / "plain.db", rollup=False)
        without = await _load(plain, lines, orders, links)
        await plain.close()
        store = await _store(Path(tmp) / "rollup.db", rollup=True)
        with_rollup = await _load(store, lines, orders, links)
        results["link_per_s"] = {"without rollup": without, "with rollup": with_rollup}

        def page(name: str) -> Callable[[], Awaitable[Any]]:
            return lambda: store.list_entities(
                "Order", where={name: {"gt": 1000.0}}, order_by=[f"-{name}", "key"], first=50
            )

        first, second = await page("amount")(), await page("value")()
        assert [e.key for e in first.items] == [e.key for e in second.items]
        stored, rolled = await timed([page("amount"), page("value")], rounds)
        results["order page, stored amount"] = summary(stored)
        results["order page, stored rollup value"] = summary(rolled)
        await store.close()
    return results
