"""Impact benchmark: report latency against graph size and affected customers.

    .venv/bin/python -m bench.impact          # 10k and 100k entities, both backends
    .venv/bin/python -m bench.impact --sizes 1000000 --affected 10,100,1000,4000,10000
    .venv/bin/python -m bench.impact --sizes 10000 --backend embedded --runs 10   # quick check

For each size it generates the logistics graph of ``bench/impact_graph.py`` (Warehouse <-
Container <- Shipment -> Order -> Buyer -> Customer, parents, contracts, complaints; ~13
entities per customer), with one probe warehouse per ``--affected`` size A whose shipments
are those of exactly A customers (so its reach does not depend on the graph size) and ~20
background warehouses (``WH-00``'s reach grows with the graph). It loads the graph into each
backend through the store API (a temp SQLite file; a throwaway local Neo4j per size, C2 JIT,
``--neo4j-heap``/``--neo4j-pagecache``) and times the customs-delay plan (five typed hops,
IN_TRANSIT shipments only, a 2-level roll-up, contract SLA, exposure, 90-day complaints) from
each probe: p50 / p95 of ``--runs`` calls after ``--warmup`` (the biggest probes run a
quarter as often). On Neo4j it also times the naive way (``bench/impact_naive.py``: one
batched query per hop from Python) and checks it returns the same rows; ``agree`` says the
backends returned identical rows. The ``report`` columns time the whole ``impact_report`` (the
stored policy, the rows, ranking, explanations, plans and one batch read of labels).

"edges touched" counts, from the generated data, every relation of a followed type incident
to an entity a step expands (filtered-out ends included), plus the roll-up's and the
signals' relations. ``--gc-freeze``: the embedded store's networkx mirror is hundreds of
thousands of long-lived dicts, and CPython's full collections rescan them (~100 ms at 100k
entities), which is what the embedded p95 shows without it; with it the bench calls
``gc.freeze()`` once the mirror is built, as a server could. Progress goes to stderr, the
table to stdout, the JSON to ``--out`` (default ``bench/results/impact.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench import impact_graph
from bench.impact_naive import NaiveImpact
from bench.ingest_crm import Graph
from graph_crm.impact.plan import ImpactRow
from graph_crm.impact.report import ImpactReport
from graph_crm.impact.report_inputs import MAX_LIMIT
from graph_crm.services.impact_report import impact_report
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from graph_crm.store.neo4j.store import Neo4jStore

Row = dict[str, Any]
BACKGROUND = "WH-00"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _ints(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part]


async def _load(store: GraphStore, graph: Graph, batch: int) -> float:
    started = time.perf_counter()
    for definition in impact_graph.ENTITY_TYPES:
        await store.define_entity_type(definition, actor="bench")
    for definition in impact_graph.RELATION_TYPES:
        await store.define_relation_type(definition, actor="bench")
    await store.define_impact_policy(impact_graph.policy(), actor="bench")
    for type_name, rows in graph.entities.items():
        for start in range(0, len(rows), batch):
            await store.upsert_entities(type_name, rows[start : start + batch])
    for relation, links in graph.links.items():
        for start in range(0, len(links), batch):
            await store.link(relation, links[start : start + batch])
    return time.perf_counter() - started


async def timed(call: Callable[[], Awaitable[Any]], runs: int, warmup: int = 1) -> Row:
    """p50 and p95 of ``runs`` calls after ``warmup`` (statement caches, the planner)."""
    first = time.perf_counter()
    for _ in range(warmup):
        await call()
    first_ms = (time.perf_counter() - first) * 1000 / max(1, warmup)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[min(len(timings) - 1, int(len(timings) * 0.95))], 2),
        "warmup_mean_ms": round(first_ms, 1),
    }


async def _measure(
    store: GraphStore, sources: list[str], args: argparse.Namespace
) -> tuple[dict[str, Row], dict[str, list[ImpactRow]]]:
    plan = impact_graph.plan(await store.registry())
    results: dict[str, Row] = {}
    answers: dict[str, list[ImpactRow]] = {}
    for source in sources:
        source_id = f"Warehouse:{source}"
        answers[source] = await store.impact_rows(plan, source_id, as_of=impact_graph.AS_OF)
        if args.gc_freeze and isinstance(store, EmbeddedStore):
            # what a server could do once its mirror is built: keep the mirror's millions
            # of dicts out of every full collection (they live as long as the mirror)
            gc.freeze()
        # the biggest probes run fewer times: the table is about the shape, not the last digit
        runs = args.runs if len(answers[source]) <= 2_000 else max(5, args.runs // 4)
        _log(f"  [{store.backend}] {source}: {len(answers[source]):,} rows, {runs} runs")

        def impact(source_id: str = source_id) -> Awaitable[list[ImpactRow]]:
            return store.impact_rows(plan, source_id, as_of=impact_graph.AS_OF)

        results[source] = {**await timed(impact, runs, args.warmup), "runs": runs}

        def whole(source_id: str = source_id) -> Awaitable[ImpactReport]:
            return impact_report(
                store,
                policy="customs-delay",
                source=source_id,
                delay_days=6,
                as_of=impact_graph.AS_OF,
                limit=MAX_LIMIT,
            )

        # the whole report: the rows, then ranking, explanations, plans and labels
        results[source]["report"] = await timed(whole, runs, args.warmup)
        if isinstance(store, Neo4jStore) and args.naive_runs:
            naive = NaiveImpact(store)
            same = await naive.rows(plan, source_id, impact_graph.AS_OF) == answers[source]
            trips = naive.round_trips

            def naive_impact(
                naive: NaiveImpact = naive, source_id: str = source_id
            ) -> Awaitable[list[ImpactRow]]:
                return naive.rows(plan, source_id, impact_graph.AS_OF)

            naive_timing = await timed(naive_impact, args.naive_runs, 1)
            results[source]["naive"] = {**naive_timing, "round_trips": trips, "same_rows": same}
    return results, answers


async def _embedded(graph: Graph, sources: list[str], args: argparse.Namespace) -> Row:
    with tempfile.TemporaryDirectory(prefix="bench-impact-") as tmp:
        store = await EmbeddedStore.open(Path(tmp) / "bench.db")
        try:
            load_s = await _load(store, graph, args.batch)
            _log(f"  [embedded] loaded in {load_s:.0f}s")
            results, answers = await _measure(store, sources, args)
        finally:
            await store.close()
    return {"load_s": round(load_s, 1), "sources": results, "answers": answers}


async def _neo4j(graph: Graph, sources: list[str], args: argparse.Namespace) -> Row:
    server = None
    uri = args.neo4j_uri
    if not uri:
        from tools.neo4j_local import LocalNeo4j

        # C2 JIT on (the test server runs C1 only, which costs throughput on long runs)
        server = LocalNeo4j(
            heap=args.neo4j_heap,
            pagecache=args.neo4j_pagecache,
            jvm_args=("-XX:TieredStopAtLevel=4",),
        )
        server.start()
        uri = server.uri
    try:
        store = await Neo4jStore.open(uri)
        try:
            if (await store.registry()).entity_types:
                raise SystemExit(f"{uri} already holds graph_crm types: the bench needs it empty")
            load_s = await _load(store, graph, args.batch)
            _log(f"  [neo4j] loaded in {load_s:.0f}s")
            results, answers = await _measure(store, sources, args)
        finally:
            await store.close()
    finally:
        if server:
            server.stop()
    return {"load_s": round(load_s, 1), "sources": results, "answers": answers}


async def run(args: argparse.Namespace) -> Row:
    report: Row = {
        "parameters": {k: v for k, v in vars(args).items() if k != "out"},
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
        },
        "results": [],
    }
    backends = ["embedded", "neo4j"] if args.backend == "both" else [args.backend]
    for size in args.sizes:
        probes = impact_graph.probes_that_fit(size, args.affected)
        graph = impact_graph.generate(size, probes, args.seed)
        # The generated rows are the bench's, not the store's: keep them out of the cyclic
        # GC's full collections, which would otherwise add their scan to the store's p95.
        gc.freeze()
        entities, relations = graph.size()
        _log(f"graph {size:,}: {entities:,} entities, {relations:,} relations, probes {probes}")
        sources = [f"PROBE-{a}" for a in probes] + [BACKGROUND]
        touched = {s: impact_graph.touched_edges(graph, s) for s in sources}
        by_backend: dict[str, Row] = {}
        for backend in backends:
            runner = _embedded if backend == "embedded" else _neo4j
            by_backend[backend] = await runner(graph, sources, args)
        answers = [result.pop("answers") for result in by_backend.values()]
        del graph
        gc.unfreeze()
        gc.collect()
        for source in sources:
            rows = answers[0][source]
            report["results"].append(
                {
                    "entities": entities,
                    "relations": relations,
                    "source": source,
                    "rows": len(rows),
                    "paths": sum(row.path_count for row in rows),
                    "edges_touched": touched[source],
                    "backends_agree": all(a[source] == rows for a in answers),
                    **{b: r["sources"][source] for b, r in by_backend.items()},
                }
            )
        report.setdefault("load_s", {})[size] = {b: r["load_s"] for b, r in by_backend.items()}
    return report


def _cell(timing: Row | None) -> str:
    return "-" if timing is None else f"{timing['p50_ms']:.1f} / {timing['p95_ms']:.1f}"


def _table(results: list[Row]) -> str:
    header = ["entities", "source", "rows", "paths", "edges touched", "agree"]
    header += ["embedded p50/p95 ms", "neo4j p50/p95 ms", "naive neo4j p50/p95 ms (trips)"]
    header += ["report embedded p50/p95", "report neo4j p50/p95"]
    lines = [header]
    for item in results:
        naive = item.get("neo4j", {}).get("naive")
        naive_cell = _cell(naive)
        if naive is not None:
            naive_cell += f" ({naive['round_trips']})" + ("" if naive["same_rows"] else " DIFFERS")
        lines.append(
            [
                f"{item['entities']:,}",
                item["source"],
                f"{item['rows']:,}",
                f"{item['paths']:,}",
                f"{item['edges_touched']:,}",
                "yes" if item["backends_agree"] else "NO",
                _cell(item.get("embedded")),
                _cell(item.get("neo4j")),
                naive_cell,
                _cell(item.get("embedded", {}).get("report")),
                _cell(item.get("neo4j", {}).get("report")),
            ]
        )
    width = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            c.rjust(w) if i else c.ljust(w)
            for i, (c, w) in enumerate(zip(line, width, strict=True))
        )
        for line in lines
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--sizes", type=_ints, default=[10_000, 100_000], help="e.g. 10000,100000,1000000"
    )
    parser.add_argument("--affected", type=_ints, default=[10, 100, 1_000, 10_000])
    parser.add_argument("--backend", choices=["embedded", "neo4j", "both"], default="both")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--naive-runs", type=int, default=10, help="0 to skip the naive comparison")
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="embedded: gc.freeze() once the mirror is built (see the module docstring)",
    )
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--neo4j-uri", help="an existing, EMPTY server (else a local one per size)")
    parser.add_argument("--neo4j-heap", default="2g")
    parser.add_argument("--neo4j-pagecache", default="1g")
    parser.add_argument("--out", type=Path, default=Path("bench/results/impact.json"))
    args = parser.parse_args(argv)
    report = asyncio.run(run(args))
    print(_table(report["results"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
