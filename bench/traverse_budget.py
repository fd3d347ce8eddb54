"""The hostile traversal: five typed hops from a warehouse of the demo data, limit 1.

    Warehouse <-SHIPPED_VIA- Shipment -FOR_CUSTOMER-> Customer <-FOR_CUSTOMER- Shipment
      -SHIPPED_VIA-> Warehouse <-SHIPPED_VIA- Shipment

Every path enumerated, this builds 1.6 million paths from RTM-02; the bounded
search keeps a few partial paths per (entity, step) and expands tens of thousands of
relations. Per backend the demo seed (``seeds/crossborder.json``) is loaded once; then
each measurement runs in a fresh subprocess that opens the store, warms it (the
embedded mirror is built, Neo4j has seen one traversal) and reads ``VmRSS`` from
``/proc/self/status`` before and ``VmHWM`` (reset first) after the traversal: the
client's own growth. Neo4j's first run of a statement includes planning it; the
table shows it and the median of the cached runs.

    .venv/bin/python -m bench.traverse_budget                   # both backends
    .venv/bin/python -m bench.traverse_budget --backend embedded
    .venv/bin/python -m bench.traverse_budget --neo4j-uri bolt://127.0.0.1:7687   # EMPTY db

Progress goes to stderr, the table to stdout, the JSON to ``--out`` (default
``bench/results/traverse_budget.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from graph_crm.model.registry import Registry
from graph_crm.model.search_graph import DictGraph
from graph_crm.model.traversal import Direction, plan_traversal
from graph_crm.model.traversal_search import search
from graph_crm.model.types import parse_entity_type, parse_relation_type
from graph_crm.services.demo import DEMO_SEED
from graph_crm.services.seed import apply_seed, read_seed
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from graph_crm.store.neo4j.store import Neo4jStore

Row = dict[str, Any]
START = "Warehouse:RTM-02"
STEPS: list[Row] = [
    {"relation": "SHIPPED_VIA", "direction": "IN"},
    {"relation": "FOR_CUSTOMER"},
    {"relation": "FOR_CUSTOMER", "direction": "IN"},
    {"relation": "SHIPPED_VIA"},
    {"relation": "SHIPPED_VIA", "direction": "IN"},
]
#: (name, limit, paths per target) of each measured call.
SHAPES = [("limit 1", 1, 3), ("limit 1000", 1_000, 3), ("limit 1, 1 path", 1, 1)]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _status(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


async def _open(backend: str, where: str) -> GraphStore:
    if backend == "embedded":
        return await EmbeddedStore.open(where)
    return await Neo4jStore.open(where)


async def _measure_child(backend: str, where: str, repeat: int) -> Row:
    """In a fresh process: one shape at a time, first call then the cached ones."""
    store = await _open(backend, where)
    results: Row = {}
    try:
        await store.traverse([START], STEPS[:1], limit=1)  # mirror built / driver warm
        for name, limit, paths in SHAPES:
            rss_before = _status("VmRSS")
            _reset_peak()
            started = time.perf_counter()
            first = await store.traverse([START], STEPS, limit=limit, paths_per_target=paths)
            first_s = time.perf_counter() - started
            peak = _status("VmHWM")
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                again = await store.traverse([START], STEPS, limit=limit, paths_per_target=paths)
                times.append(time.perf_counter() - started)
                assert again == first
            results[name] = {
                "first_ms": round(first_s * 1000, 1),
                "median_ms": round(statistics.median(times) * 1000, 1),
                "rss_before_mib": round(rss_before, 1),
                "peak_growth_mib": round(peak - rss_before, 1),
                "reached": len(first.reached),
                "first_target": first.reached[0].id if first.reached else None,
                "truncated": first.truncated,
            }
    finally:
        await store.close()
    return results


def _expanded() -> Row:
    """Relations each shape expands and the number of paths, from the seed in memory."""
    seed = read_seed(DEMO_SEED)
    registry = Registry.from_definitions(
        1,
        [parse_entity_type(t) for t in seed["entityTypes"]],
        [parse_relation_type(r) for r in seed["relationTypes"]],
    )
    ends = {r["name"]: (r["from"], r["to"]) for r in seed["relationTypes"]}
    edges: dict[tuple[str, str], list[str]] = {}
    for relation, links in seed["links"].items():
        source_type, target_type = ends[relation]
        for link in links:
            key = (f"{source_type}:{link['from']}", relation)
            edges.setdefault(key, []).append(f"{target_type}:{link['to']}")
    graph = DictGraph(edges)
    out: Row = {"paths": _count_paths(graph)}
    for name, limit, paths in SHAPES:
        plan = plan_traversal(
            registry, {"Warehouse"}, STEPS, limit=limit, paths_per_target=paths, start=[START]
        )
        out[name] = search(plan, [START], graph).expanded
    return out


def _count_paths(graph: DictGraph) -> int:
    """Node-simple paths of the five hops, counted (not built) by depth-first search."""

    def count(node: str, depth: int, seen: frozenset[str]) -> int:
        step = STEPS[depth]
        direction = Direction(step.get("direction", "OUT"))
        ends = [far for far, _ in graph.neighbors(node, step["relation"], direction)]
        if depth == len(STEPS) - 1:
            return sum(far not in seen for far in ends)
        return sum(count(far, depth + 1, seen | {far}) for far in ends if far not in seen)

    return count(START, 0, frozenset({START}))


def _child(backend: str, where: str, repeat: int) -> Row:
    command = [
        sys.executable,
        "-m",
        "bench.traverse_budget",
        "--child",
        backend,
        where,
        "--repeat",
        str(repeat),
    ]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the measuring process failed:\n{done.stderr}")
    result: Row = json.loads(done.stdout)
    return result


async def _load(backend: str, where: str) -> float:
    store = await _open(backend, where)
    try:
        if (await store.registry()).entity_types:
            raise SystemExit(f"{where} already holds graph_crm types: the bench needs it empty")
        started = time.perf_counter()
        await apply_seed(store, read_seed(DEMO_SEED), actor="bench")
        return time.perf_counter() - started
    finally:
        await store.close()


def run(args: argparse.Namespace) -> Row:
    report: Row = {
        "parameters": {"start": START, "steps": STEPS, "repeat": args.repeat},
        "machine": {"cpu_count": os.cpu_count(), "python": platform.python_version()},
        "expanded": _expanded(),
        "results": {},
    }
    backends = ["embedded", "neo4j"] if args.backend == "both" else [args.backend]
    for backend in backends:
        server = None
        with tempfile.TemporaryDirectory(prefix="bench-traverse-") as tmp:
            if backend == "embedded":
                where = str(Path(tmp) / "demo.db")
            else:
                where = args.neo4j_uri
                if not where:
                    from tools.neo4j_local import LocalNeo4j

                    server = LocalNeo4j(heap="1g", pagecache="256m")
                    server.start()
                    where = server.uri
            try:
                load_s = asyncio.run(_load(backend, where))
                _log(f"[{backend}] demo loaded in {load_s:.1f} s")
                report["results"][backend] = _child(backend, where, args.repeat)
            finally:
                if server is not None:
                    server.stop()
    return report


def _table(report: Row) -> str:
    expanded = report["expanded"]
    lines = [
        f"5 hops from {START}: {expanded['paths']:,} node-simple paths",
        "| backend | shape | relations expanded | first ms | median ms | peak RSS growth MiB "
        "| reached | first target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for backend, shapes in report["results"].items():
        for name, row in shapes.items():
            lines.append(
                f"| {backend} | {name} | {expanded[name]:,} | {row['first_ms']} "
                f"| {row['median_ms']} | {row['peak_growth_mib']} | {row['reached']}"
                f"{'+' if row['truncated'] else ''} | {row['first_target']} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--backend", choices=["embedded", "neo4j", "both"], default="both")
    parser.add_argument("--neo4j-uri", help="an existing, EMPTY server (else a local one)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench/results/traverse_budget.json"))
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "WHERE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        backend, where = args.child
        print(json.dumps(asyncio.run(_measure_child(backend, where, args.repeat))))
        return 0
    report = run(args)
    print(_table(report))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
