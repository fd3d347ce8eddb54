"""Why computed properties are materialized: a filtered, sorted page on a computed value,
stored at write time, next to the same page computed when read.

On the embedded store, ``--lines`` OrderLines (``unitPrice``, ``quantity``, ``discount``,
stored ``amount`` and the materialized formula ``lineTotal``) in Orders of five lines
each. Measured (median and p95 of ``--rounds`` runs, one warm-up):

- ``stored``: ``list_entities`` filtered and sorted on a stored FLOAT (``amount``);
- ``materialized formula``: the same on ``lineTotal`` (what this code does);
- ``formula on read``: one SQLite statement computing ``lineTotal``'s expression from the
  row's JSON in ``WHERE`` and ``ORDER BY`` (what compiling the formula into the read
  statement would run), next to the same statement on the stored ``amount``;
- ``rollup on read``: the orders' ``sum(lineTotal)`` as a correlated subquery per order,
  sorted (what an on-read rollup must do), next to a stored FLOAT on Order;
- the write cost: ``upsert_entities`` of every line with and without the formula;
- stored rollups (:mod:`bench.computed_rollup`): ``--orders`` Orders of two lines, a page
  on the rollup ``value = sum(lineTotal)`` next to a stored ``amount``, and ``link``
  throughput with and without the rollup on the path.

    .venv/bin/python -m bench.computed                 # 100k lines
    .venv/bin/python -m bench.computed --lines 10000   # a quick check

The table goes to stdout, the JSON to ``--out`` (default bench/results/computed.json).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.computed_rollup import rollup_results
from graph_crm.model.formula import compile_formula, evaluate_formula
from graph_crm.model.types import PropertyKind as K
from graph_crm.store.embedded.store import EmbeddedStore

FORMULA = "round(unitPrice * quantity * (1 - coalesce(discount, 0)), 2)"
#: The formula as one SQL expression over the stored row (what an on-read compiler emits).
SQL_FORMULA = (
    "round(json_extract(props, '$.unitPrice') * json_extract(props, '$.quantity') * "
    "(1 - coalesce(json_extract(props, '$.discount'), 0)), 2)"
)
BATCH = 5_000


def line_type(computed: bool) -> dict[str, Any]:
    properties: list[dict[str, Any]] = [
        {"name": "unitPrice", "kind": "FLOAT"},
        {"name": "quantity", "kind": "INT"},
        {"name": "discount", "kind": "FLOAT"},
        {"name": "amount", "kind": "FLOAT"},
    ]
    if computed:
        properties.append({"name": "lineTotal", "kind": "FLOAT", "computed": FORMULA})
    return {"name": "OrderLine", "properties": properties}


def lines(count: int, seed: int) -> list[dict[str, Any]]:
    """Order lines whose stored ``amount`` is exactly what ``lineTotal`` computes, so both
    pages filter and sort the same values."""
    rng = random.Random(seed)
    total = compile_formula(
        FORMULA, {"unitPrice": K.FLOAT, "quantity": K.INT, "discount": K.FLOAT}, "OrderLine"
    )
    rows = []
    for index in range(count):
        row: dict[str, Any] = {
            "key": f"L{index:07d}",
            "unitPrice": round(rng.uniform(1, 500), 2),
            "quantity": rng.randint(1, 40),
        }
        if rng.random() < 0.3:
            row["discount"] = round(rng.uniform(0, 0.5), 3)
        row["amount"] = evaluate_formula(total, row)
        rows.append(row)
    return rows


def read_sql_text() -> str:
    """The page with ``lineTotal`` computed from the row's JSON, in the statement."""
    return (
        "SELECT key FROM entities WHERE type = 'OrderLine' AND "
        f"{SQL_FORMULA} > 1000 ORDER BY {SQL_FORMULA} DESC, key LIMIT 50"
    )


async def timed(calls: list[Callable[[], Awaitable[Any]]], rounds: int) -> list[list[float]]:
    """Each call's times, the calls taking turns round by round (a busy machine slows
    them alike), after one warm-up each."""
    times: list[list[float]] = [[] for _ in calls]
    for round_number in range(rounds + 1):
        for call, kept in zip(calls, times, strict=True):
            start = time.perf_counter()
            await call()
            if round_number:
                kept.append((time.perf_counter() - start) * 1000)
    return times


def sql_timed(conn: sqlite3.Connection, statements: list[str], rounds: int) -> list[list[float]]:
    """As :func:`timed`, for SQL statements on their own connection."""
    times: list[list[float]] = [[] for _ in statements]
    for round_number in range(rounds + 1):
        for sql, kept in zip(statements, times, strict=True):
            start = time.perf_counter()
            conn.execute(sql).fetchall()
            if round_number:
                kept.append((time.perf_counter() - start) * 1000)
    return times


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": statistics.median(ordered), "p95_ms": p95}


async def load(path: Path, rows: list[dict[str, Any]], computed: bool) -> tuple[Any, float]:
    store = await EmbeddedStore.open(path)
    await store.define_entity_type(line_type(computed))
    await store.define_entity_type(
        {"name": "Order", "properties": [{"name": "value", "kind": "FLOAT"}]}
    )
    await store.define_relation_type({"name": "HAS_LINE", "from": "Order", "to": "OrderLine"})
    start = time.perf_counter()
    for at in range(0, len(rows), BATCH):
        await store.upsert_entities("OrderLine", rows[at : at + BATCH])
    seconds = time.perf_counter() - start
    return store, seconds


async def run(count: int, rounds: int, seed: int, order_count: int) -> dict[str, Any]:
    rows = lines(max(count, 2 * order_count), seed)
    rollups = await rollup_results(order_count, rows, rounds, timed, summary)
    rows = rows[:count]
    results: dict[str, Any] = {"lines": count, "rounds": rounds}
    with tempfile.TemporaryDirectory() as tmp:
        plain, plain_s = await load(Path(tmp) / "plain.db", rows, computed=False)
        await plain.close()
        store, computed_s = await load(Path(tmp) / "computed.db", rows, computed=True)
        results["write_lines_per_s"] = {
            "stored only": count / plain_s,
            "with formula": count / computed_s,
        }
        orders = [{"key": f"O{i:07d}", "value": float(i % 997)} for i in range(count // 5)]
        for at in range(0, len(orders), BATCH):
            await store.upsert_entities("Order", orders[at : at + BATCH])
        links = [{"from": f"O{i // 5:07d}", "to": row["key"]} for i, row in enumerate(rows)]
        for at in range(0, len(links), BATCH):
            await store.link("HAS_LINE", links[at : at + BATCH])

        def page(name: str) -> Callable[[], Awaitable[Any]]:
            return lambda: store.list_entities(
                "OrderLine", where={name: {"gt": 1000.0}}, order_by=[f"-{name}", "key"], first=50
            )

        stored, materialized = await timed([page("amount"), page("lineTotal")], rounds)
        results["store page, stored amount"] = summary(stored)
        results["store page, materialized lineTotal"] = summary(materialized)
        await store.close()
        conn = sqlite3.connect(Path(tmp) / "computed.db")
        on = "FROM entities WHERE type = 'OrderLine'"
        stored_sql = (
            f"SELECT key {on} AND json_extract(props, '$.lineTotal') > 1000 "
            "ORDER BY json_extract(props, '$.lineTotal') DESC, key LIMIT 50"
        )
        assert conn.execute(stored_sql).fetchall() == conn.execute(read_sql_text()).fetchall()
        read_sql = read_sql_text()
        stored, on_read = sql_timed(conn, [stored_sql, read_sql], rounds)
        results["SQL page, stored"] = summary(stored)
        results["SQL page, formula on read"] = summary(on_read)
        rollup = (
            "SELECT o.key, (SELECT coalesce(sum(json_extract(l.props, '$.lineTotal')), 0) "
            "FROM relations r JOIN entities l ON l.id = r.to_id "
            "WHERE r.from_id = o.id AND r.type = 'HAS_LINE') AS total "
            "FROM entities o WHERE o.type = 'Order' ORDER BY total DESC, o.key LIMIT 50"
        )
        stored_order = (
            "SELECT key FROM entities WHERE type = 'Order' "
            "ORDER BY json_extract(props, '$.value') DESC, key LIMIT 50"
        )
        stored, on_read = sql_timed(conn, [stored_order, rollup], rounds)
        results["SQL page of orders, stored value"] = summary(stored)
        results["SQL page of orders, rollup on read"] = summary(on_read)
        conn.close()
    return {**results, **rollups}


def table(results: dict[str, Any]) -> str:
    out = [f"{results['lines']:,} order lines, {results['rounds']} rounds (median / p95 ms)"]
    for name, value in results.items():
        if isinstance(value, dict) and "median_ms" in value:
            out.append(f"  {name:<40} {value['median_ms']:9.1f} {value['p95_ms']:9.1f}")
    for name, rate in results["write_lines_per_s"].items():
        out.append(f"  upsert, {name:<32} {rate:9,.0f} lines/s")
    for name, rate in results["link_per_s"].items():
        out.append(f"  link, {name:<34} {rate:9,.0f} links/s")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("bench/results/computed.json"))
    args = parser.parse_args()
    results = asyncio.run(run(args.lines, args.rounds, args.seed, args.orders))
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
