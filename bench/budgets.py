"""Budgets benchmark: nested relation filters on the demo data, and how promptly a call
over its time budget, or whose client went away, is stopped.

    .venv/bin/python -m bench.budgets                       # both backends
    .venv/bin/python -m bench.budgets --backend embedded --runs 10
    .venv/bin/python -m bench.budgets --neo4j-uri bolt://127.0.0.1:7687   # an EMPTY server

It loads the cross-border demo (``seeds/crossborder.json``: 3,320 shipments through six
warehouses) into each backend and times ``entities(type: "Shipment", first: 1, where:
...)`` (``list_entities``: the count and the page) with relation quantifiers nested
``hops`` deep, Shipment -SHIPPED_VIA-> Warehouse <-SHIPPED_VIA- Shipment -> ... : every
level but the last goes through a warehouse shared by hundreds of shipments, the shape
whose correlated ``EXISTS`` chains grew with the fan-out to the power of the depth
(before this change: 2 hops took 3.0 s on SQLite and 6.9 s on Neo4j on the 2-core box,
4 hops did not finish). ``none match`` ends in a condition no shipment meets (so no
``EXISTS`` can stop early), ``all match`` in one every shipment meets.

Then, per backend: how long a read that never ends by itself (a recursive count on
SQLite, a cartesian UNWIND on Neo4j) takes to fail under a 0.2 s budget (``stopped
after``: Neo4j's transaction monitor checks every 2 s by default), and how long after
its client goes away (the awaiting task is cancelled) the next call answers (embedded:
every reader thread held by such a read; Neo4j: until the server shows the transaction
gone). Embedded only: ``ping`` while every reader runs an endless read. Progress goes to
stderr, the table to stdout, the JSON to ``--out`` (default ``bench/results/budgets.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final

from neo4j import AsyncGraphDatabase

from bench.impact import timed
from graph_crm.errors import TimedOut
from graph_crm.services.seed import apply_seed, read_seed
from graph_crm.store.base import GraphStore
from graph_crm.store.budget import WorkBudget, work_budget
from graph_crm.store.embedded.calls import READERS
from graph_crm.store.embedded.store import EmbeddedStore
from graph_crm.store.neo4j.statements import fetch
from graph_crm.store.neo4j.store import Neo4jStore

Row = dict[str, Any]
SEED: Final = Path(__file__).resolve().parents[1] / "seeds" / "crossborder.json"
HOPS: Final = (1, 2, 4, 8)
BUDGET_S: Final = 0.2
ENDLESS_SQL: Final = (
    "WITH RECURSIVE c (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT count(*) FROM c"
)
ENDLESS_CYPHER: Final = (
    "UNWIND range(1, 1000000) AS a UNWIND range(1, 1000000) AS b "
    "WITH a, b WHERE a + b < 0 RETURN count(*) AS found"
)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def nested(hops: int, *, match: bool) -> dict[str, Any]:
    """Shipments linked ``hops`` SHIPPED_VIA hops away to an entity passing the innermost
    condition (hop 1 goes out to a warehouse, hop 2 back in to its shipments, ...)."""
    if hops % 2 == 0:  # the innermost entity is a shipment
        where: dict[str, Any] = {"status": {"isNull": not match}}
    else:  # a warehouse
        where = {"key": {"startsWith": "" if match else "NO-SUCH-"}}
    for hop in reversed(range(hops)):
        where = {"SHIPPED_VIA": {"direction": "OUT" if hop % 2 == 0 else "IN", "some": where}}
    return where


async def _filters(store: GraphStore, runs: int) -> list[Row]:
    results = []
    for hops in HOPS:
        for match in (False, True):
            where = nested(hops, match=match)
            page = await store.list_entities("Shipment", where=where, first=1)

            def one_page(where: dict[str, Any] = where) -> Awaitable[Any]:
                return store.list_entities("Shipment", where=where, first=1)

            timing = await timed(one_page, runs)
            _log(f"  {hops} hops, {'all' if match else 'none'} match: {timing}")
            results.append({"hops": hops, "match": match, "total": page.total_count, **timing})
    return results


async def _stopped_after(slow: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    with work_budget(WorkBudget(seconds=BUDGET_S)):
        try:
            await slow()
        except TimedOut:
            return time.perf_counter() - started
    raise SystemExit("the slow call ended by itself: the bench needs one that does not")


async def _embedded_stops(store: EmbeddedStore, runs: int) -> Row:
    def endless(started: threading.Event | None = None) -> Awaitable[Any]:
        def run() -> Any:
            if started is not None:
                started.set()
            return store.session.db.conn.execute(ENDLESS_SQL).fetchone()

        return store.session.db.read(run)

    stops = [await _stopped_after(endless) for _ in range(runs)]
    holding = []
    for _ in range(READERS):
        event = threading.Event()
        holding.append(asyncio.ensure_future(endless(event)))
        await asyncio.to_thread(event.wait)
    pings = [(await timed(store.ping, 1))["p50_ms"] for _ in range(runs)]
    cancelled = time.perf_counter()
    for task in holding:
        task.cancel()
    await store.get_entities(["Shipment:SHP-1001"])
    answered = time.perf_counter() - cancelled
    await asyncio.gather(*holding, return_exceptions=True)
    return {
        "stopped_after_ms": round(statistics.median(stops) * 1000, 1),
        "next_call_after_cancel_ms": round(answered * 1000, 1),
        "ping_while_readers_busy_ms": round(statistics.median(pings), 2),
    }


async def _neo4j_stops(store: Neo4jStore, uri: str, runs: int) -> Row:
    def endless() -> Awaitable[Any]:
        return store.session.db.read(lambda tx: fetch(tx, ENDLESS_CYPHER))

    stops = [await _stopped_after(endless) for _ in range(runs)]
    async with AsyncGraphDatabase.driver(uri, notifications_min_severity="OFF") as driver:

        async def running() -> int:
            records, _, _ = await driver.execute_query(
                "SHOW TRANSACTIONS YIELD currentQuery "
                "WHERE currentQuery STARTS WITH 'UNWIND range' RETURN count(*) AS running"
            )
            return int(records[0]["running"])

        slow = asyncio.ensure_future(endless())
        while not await running():
            await asyncio.sleep(0.01)
        cancelled = time.perf_counter()
        slow.cancel()
        await asyncio.gather(slow, return_exceptions=True)
        while await running():
            await asyncio.sleep(0.01)
        gone = time.perf_counter() - cancelled
    return {
        "stopped_after_ms": round(statistics.median(stops) * 1000, 1),
        "transaction_gone_after_cancel_ms": round(gone * 1000, 1),
    }


async def _embedded(args: argparse.Namespace) -> Row:
    with tempfile.TemporaryDirectory(prefix="bench-budgets-") as tmp:
        store = await EmbeddedStore.open(Path(tmp) / "bench.db")
        try:
            await apply_seed(store, read_seed(SEED), actor="bench")
            _log("[embedded] loaded")
            return {
                "filters": await _filters(store, args.runs),
                "stops": await _embedded_stops(store, args.stop_runs),
            }
        finally:
            await store.close()


async def _neo4j(args: argparse.Namespace) -> Row:
    server = None
    uri = args.neo4j_uri
    if not uri:
        from tools.neo4j_local import LocalNeo4j

        server = LocalNeo4j(heap=args.neo4j_heap, jvm_args=("-XX:TieredStopAtLevel=4",))
        server.start()
        uri = server.uri
    try:
        store = await Neo4jStore.open(uri)
        try:
            if (await store.registry()).entity_types:
                raise SystemExit(f"{uri} already holds graph_crm types: the bench needs it empty")
            await apply_seed(store, read_seed(SEED), actor="bench")
            _log("[neo4j] loaded")
            return {
                "filters": await _filters(store, args.runs),
                "stops": await _neo4j_stops(store, uri, args.stop_runs),
            }
        finally:
            await store.close()
    finally:
        if server:
            server.stop()


def _table(results: dict[str, Row]) -> str:
    backends = list(results)
    lines = [["nested filter", *(f"{b} p50 / p95 ms" for b in backends), "shipments"]]
    first = results[backends[0]]["filters"]
    for index, item in enumerate(first):
        label = f"{item['hops']} hops, {'all' if item['match'] else 'none'} match"
        cells = [
            f"{r['filters'][index]['p50_ms']} / {r['filters'][index]['p95_ms']}"
            for r in results.values()
        ]
        lines.append([label, *cells, f"{item['total']:,}"])
    lines.append([f"stopped after (budget {BUDGET_S:g} s), ms"])
    lines[-1] += [str(r["stops"]["stopped_after_ms"]) for r in results.values()] + [""]
    width = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    table = "\n".join(
        "  ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, width, strict=True))
        )
        for line in lines
    )
    extra = [f"{b}: {json.dumps(r['stops'])}" for b, r in results.items()]
    return table + "\n" + "\n".join(extra)


async def run(args: argparse.Namespace) -> Row:
    backends = ["embedded", "neo4j"] if args.backend == "both" else [args.backend]
    results: dict[str, Row] = {}
    for backend in backends:
        results[backend] = await (_embedded(args) if backend == "embedded" else _neo4j(args))
    return {
        "parameters": {k: v for k, v in vars(args).items() if k != "out"},
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
        },
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["embedded", "neo4j", "both"], default="both")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--stop-runs", type=int, default=5)
    parser.add_argument("--neo4j-uri", help="an existing, EMPTY server (else a local one)")
    parser.add_argument("--neo4j-heap", default="1g")
    parser.add_argument("--out", type=Path, default=Path("bench/results/budgets.json"))
    args = parser.parse_args(argv)
    report = asyncio.run(run(args))
    print(_table(report["results"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
