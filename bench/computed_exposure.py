"""An impact report whose exposure is a rollup, next to the same report on a stored
exposure (issue 17: within 1.5×).

One warehouse ships ``orders`` Orders (three OrderLines each, ``lineTotal`` a formula) to
``customers`` Customers. Order carries the rollup ``value = sum(HAS_LINE →
OrderLine.lineTotal)`` and a stored FLOAT ``amount`` the client writes with the same
values. Two policies differ only in their exposure (``value`` / ``amount`` at the Order
step). Their reports (every affected customer) take turns, ``rounds`` times, on each
backend asked for; the answers are checked equal first.

    python -m bench.computed_exposure                    # embedded and Neo4j (started here)
    python -m bench.computed_exposure --backend embedded --orders 20000

Prints a table and writes ``bench/results/computed_exposure.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.computed_rollup import FORMULA, ORDER_LINE, VALUE
from graph_crm.model.formula import compile_formula, evaluate_formula
from graph_crm.model.types import PropertyKind as K
from graph_crm.services.impact_report import impact_report
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from graph_crm.store.neo4j.store import Neo4jStore

AS_OF = "2026-11-23T09:00:00Z"
OUT = Path(__file__).parent / "results" / "computed_exposure.json"


def _policy(name: str, exposure: str) -> dict[str, Any]:
    return {
        "name": name,
        "source": "Warehouse",
        "target": "Customer",
        "steps": [
            {"relation": "SHIPPED_VIA", "direction": "IN"},
            {"relation": "FOR_CUSTOMER", "direction": "OUT"},
        ],
        "signals": {"exposure": {"step": 1, "property": exposure, "currency": "CNY"}},
        "scoring": {"exposureReference": 100_000},
        "tiers": [{"tier": "T1", "label": "Affected", "when": {}}],
    }


TYPES: list[dict[str, Any]] = [
    ORDER_LINE,
    {"name": "Warehouse", "properties": [{"name": "name", "kind": "STRING"}]},
    {"name": "Customer", "properties": [{"name": "name", "kind": "STRING"}]},
    {"name": "Order", "properties": [{"name": "amount", "kind": "FLOAT"}]},
]
RELATIONS = [
    {"name": "HAS_LINE", "from": "Order", "to": "OrderLine"},
    {"name": "SHIPPED_VIA", "from": "Order", "to": "Warehouse"},
    {"name": "FOR_CUSTOMER", "from": "Order", "to": "Customer"},
]


def _data(orders: int, customers: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    line_total = compile_formula(
        FORMULA, {"unitPrice": K.FLOAT, "quantity": K.INT, "discount": K.FLOAT}, "OrderLine"
    )
    lines: list[dict[str, Any]] = []
    amounts: list[dict[str, Any]] = []
    for o in range(orders):
        mine = []
        for n in range(3):
            row: dict[str, Any] = {
                "key": f"L{o}-{n}",
                "unitPrice": round(rng.uniform(1, 500), 2),
                "quantity": rng.randint(1, 40),
            }
            if rng.random() < 0.3:
                row["discount"] = rng.choice([0.05, 0.1])
            mine.append(row)
        lines.extend(mine)
        # the rollup's own sum (math.fsum of the lines' values), stored as the client's
        total = math.fsum(evaluate_formula(line_total, row) for row in mine)
        amounts.append({"key": f"O{o}", "amount": total})
    return {
        "lines": lines,
        "orders": amounts,
        "customers": [{"key": f"C{c}", "name": f"Customer {c}"} for c in range(customers)],
        "has_line": [{"from": f"O{o}", "to": f"L{o}-{n}"} for o in range(orders) for n in range(3)],
        "shipped": [{"from": f"O{o}", "to": "W1"} for o in range(orders)],
        "for_customer": [
            {"from": f"O{o}", "to": f"C{rng.randrange(customers)}"} for o in range(orders)
        ],
    }


async def _load(store: GraphStore, data: dict[str, Any]) -> None:
    for definition in TYPES:
        await store.define_entity_type(definition)
    for relation in RELATIONS:
        await store.define_relation_type(relation)
    await store.alter_entity_type(
        {
            "name": "Order",
            "properties": [
                {"name": "amount", "kind": "FLOAT"},
                {"name": "value", "kind": "FLOAT", "computed": VALUE},
            ],
        }
    )
    await store.upsert_entities("Warehouse", [{"key": "W1", "name": "Main"}])
    await store.upsert_entities("Customer", data["customers"])
    for start in range(0, len(data["lines"]), 5_000):
        await store.upsert_entities("OrderLine", data["lines"][start : start + 5_000])
    for start in range(0, len(data["orders"]), 5_000):
        await store.upsert_entities("Order", data["orders"][start : start + 5_000])
    relations = {"HAS_LINE": "has_line", "SHIPPED_VIA": "shipped", "FOR_CUSTOMER": "for_customer"}
    for relation_type, name in relations.items():
        links: list[dict[str, str]] = data[name]
        for start in range(0, len(links), 5_000):
            await store.link(relation_type, links[start : start + 5_000])
    await store.define_impact_policy(_policy("stored-exposure", "amount"))
    await store.define_impact_policy(_policy("rollup-exposure", "value"))


async def _measure(store: GraphStore, rounds: int) -> dict[str, Any]:
    async def report(policy: str) -> Any:
        return await impact_report(
            store, source="Warehouse:W1", policy=policy, delay_days=3, as_of=AS_OF, limit=10_000
        )

    stored, rolled = await report("stored-exposure"), await report("rollup-exposure")
    pairs = [(t.target, round(t.exposure, 2)) for t in stored.targets]
    assert pairs == [(t.target, round(t.exposure, 2)) for t in rolled.targets], "answers differ"
    times: dict[str, list[float]] = {"stored": [], "rollup": []}
    for _ in range(rounds):
        for side, policy in (("stored", "stored-exposure"), ("rollup", "rollup-exposure")):
            began = time.perf_counter()
            await report(policy)
            times[side].append((time.perf_counter() - began) * 1000)
    result: dict[str, Any] = {"affected": len(stored.targets)}
    for side, values in times.items():
        ordered = sorted(values)
        result[side] = {
            "median_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 1),
        }
    result["ratio_median"] = round(result["rollup"]["median_ms"] / result["stored"]["median_ms"], 2)
    result["ratio_p95"] = round(result["rollup"]["p95_ms"] / result["stored"]["p95_ms"], 2)
    return result


async def _embedded(data: dict[str, Any], rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        store = await EmbeddedStore.open(Path(tmp) / "exposure.db")
        try:
            await _load(store, data)
            return await _measure(store, rounds)
        finally:
            await store.close()


async def _neo4j(data: dict[str, Any], rounds: int) -> dict[str, Any]:
    from tools.neo4j_local import LocalNeo4j

    server = LocalNeo4j(jvm_args=("-XX:TieredStopAtLevel=4",))
    server.start()
    try:
        store = await Neo4jStore.open(server.uri)
        try:
            await _load(store, data)
            return await _measure(store, rounds)
        finally:
            await store.close()
    finally:
        server.stop()


def table(results: dict[str, Any]) -> str:
    lines = [
        "| backend | affected | stored exposure median / p95 ms | rollup exposure "
        "median / p95 ms | ratio median / p95 |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for backend, row in results["backends"].items():
        lines.append(
            f"| {backend} | {row['affected']} | {row['stored']['median_ms']} / "
            f"{row['stored']['p95_ms']} | {row['rollup']['median_ms']} / {row['rollup']['p95_ms']}"
            f" | {row['ratio_median']}× / {row['ratio_p95']}× |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["embedded", "neo4j", "both"], default="both")
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--customers", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    data = _data(args.orders, args.customers, args.seed)
    backends = ["embedded", "neo4j"] if args.backend == "both" else [args.backend]
    results: dict[str, Any] = {
        "parameters": {k: v for k, v in vars(args).items() if k != "out"},
        "backends": {},
    }
    for backend in backends:
        run = _embedded if backend == "embedded" else _neo4j
        results["backends"][backend] = asyncio.run(run(data, args.rounds))
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
