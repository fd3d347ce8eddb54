"""API benchmark: GraphQL queries against a real uvicorn server over each backend.

Loads a deterministic CRM graph (bench/graphgen.py), serves it on loopback and drives the
scenarios of bench/scenarios.py at a fixed concurrency. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from bench.graphgen import generate, load
from bench.ingest_crm import Graph
from bench.loadgen import collect_cursors, draw, drive, query_fields, summarise
from bench.procstat import cpu_seconds, disk_mib, peak_rss_mib
from bench.scenarios import CORE_ONLY, SCENARIOS, Pools, Scenario
from bench.served import served
from graph_crm.auth.roles import Role
from graph_crm.services.api_keys import create_key
from graph_crm.settings import Settings
from graph_crm.store import open_store
from tools.neo4j_local import free_port

Row = dict[str, Any]
REPO = Path(__file__).resolve().parent.parent
MAX_PAGES = 200


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def serve(settings: Settings, log_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A uvicorn subprocess serving the store ``settings`` name on loopback; stopped on exit."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPH_CRM_")}
    for name, value in settings.model_dump().items():
        secret = getattr(value, "get_secret_value", None)
        env[f"GRAPH_CRM_{name.upper()}"] = str(secret() if secret else value)
    # No access log: one line per request would be part of what is measured.
    command = [sys.executable, "-m", "uvicorn", "bench.apiserver:app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
    with served(
        command, cwd=REPO, env=env, port=port, log_path=log_path, ready=_healthy, what="the server"
    ) as running:
        yield running


def _healthy(base: str) -> bool:
    return httpx.get(f"{base}/healthz", timeout=2).status_code == 200


async def run_scenarios(
    base: str,
    scenarios: list[Scenario],
    pools: Pools,
    args: Any,
    pids: dict[str, int | None],
    headers: dict[str, str],
) -> Row:
    """Each scenario's figures; ``pids``: the processes whose CPU time per request is shown."""
    results: Row = {}
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=None)
    async with httpx.AsyncClient(
        base_url=base, timeout=args.timeout, limits=limits, headers=headers
    ) as client:
        live = await query_fields(client)
        for scenario in scenarios:
            missing = [name for name in scenario.needs if name not in live]
            if missing:
                results[scenario.name] = {"skipped": f"no Query.{missing[0]} in the live schema"}
                _log(f"  {scenario.name}: skipped, {results[scenario.name]['skipped']}")
                continue
            if scenario.paged:
                pools.cursors[scenario.name] = await collect_cursors(client, scenario, MAX_PAGES)
            bound = (args.concurrency, args.duration)
            warm = await drive(
                client, scenario, draw(scenario, pools, args.warmup, args.seed + 1), *bound
            )
            measured = draw(scenario, pools, args.requests, args.seed)
            cpu_before = {name: cpu_seconds(pid) for name, pid in pids.items()}
            row = summarise(await drive(client, scenario, measured, *bound))
            cpu_used = {name: cpu_seconds(pid) - cpu_before[name] for name, pid in pids.items()}
            row["cpu_ms_per_request"] = {
                name: round(seconds * 1000 / max(1, row["requests"]), 2)
                for name, seconds in cpu_used.items()
                if math.isfinite(seconds)  # nan: no /proc to read it from
            }
            row["warmup_failures"] = sum(warm.failures.values())
            if scenario.paged:
                row["pages"] = len(pools.cursors[scenario.name])
            if scenario.stand_in_for:
                row["stand_in_for"] = scenario.stand_in_for
            results[scenario.name] = row
            _log(
                f"  {scenario.name}: {row['requests']} requests, {row['failures']} failed, "
                f"{row['req_per_s']} req/s, p50 {row['p50_ms']} ms, p99 {row['p99_ms']} ms"
            )
    return results


def backend_settings(
    stack: contextlib.ExitStack, backend: str, tmp: Path, args: Any
) -> tuple[Settings, Path, Any]:
    """Settings for an embedded store in ``tmp``, or for a throwaway local Neo4j
    (``args.neo4j_heap`` / ``neo4j_pagecache``, C2 JIT) stopped with ``stack``; the store's
    data directory; the Neo4j server (None for embedded)."""
    if backend == "embedded":
        return Settings(db_path=str(tmp / "bench.db")), tmp, None
    from tools.neo4j_local import LocalNeo4j

    # tools/neo4j_local tunes the JVM for short tests (C1-only JIT); re-enable C2.
    neo4j = LocalNeo4j(
        heap=args.neo4j_heap, pagecache=args.neo4j_pagecache, jvm_args=("-XX:TieredStopAtLevel=4",)
    )
    _log(f"[neo4j] starting a local Neo4j (heap {args.neo4j_heap})")
    stack.callback(neo4j.stop)
    neo4j.start()
    assert neo4j.home is not None
    return Settings(backend="neo4j", neo4j_uri=neo4j.uri), neo4j.home, neo4j


async def bench_backend(backend: str, graph: Graph, args: Any) -> Row:
    scenarios = CORE_ONLY if args.core_only else SCENARIOS
    pools = Pools([row["key"] for row in graph.entities["Customer"]])
    entities, relations = graph.size()
    result: Row = {"entities": entities, "relations": relations}
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-api-")))
        settings, data_dir, neo4j = backend_settings(stack, backend, tmp, args)
        _log(f"[{backend}] loading {entities:,} entities, {relations:,} relations")
        started = time.perf_counter()
        store = await open_store(settings)
        try:
            await load(store, graph, args.batch)
            token = await create_key(store, "bench-api", Role.ANALYST, actor="bench")
        finally:
            await store.close()
        result["load_seconds"] = round(time.perf_counter() - started, 1)
        result["disk_mib"] = disk_mib(data_dir / "data" if neo4j else data_dir)
        base, server = stack.enter_context(serve(settings, tmp / "server.log"))
        _log(f"[{backend}] serving at {base}")
        pids = {"client": None, "server": server.pid, **({"neo4j": neo4j.pid} if neo4j else {})}
        headers = {"Authorization": f"Bearer {token}"}
        result["scenarios"] = await run_scenarios(base, scenarios, pools, args, pids, headers)
        result["server_peak_rss_mib"] = peak_rss_mib(server.pid)
        if any(row.get("failures") for row in result["scenarios"].values()):
            # The temp dir goes away; keep the server's side of the failures.
            kept = args.out.with_name(f"{args.out.stem}-{backend}-server.log")
            kept.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tmp / "server.log", kept)
            result["server_log"] = str(kept)
            _log(f"[{backend}] requests failed; the server log is in {kept}")
        if neo4j and neo4j.pid:
            result["neo4j_peak_rss_mib"] = peak_rss_mib(neo4j.pid)
    return result


COLUMNS = [("scenario", ""), ("requests", "requests"), ("failures", "failures"),
           ("req/s", "req_per_s"), ("p50 ms", "p50_ms"), ("p95 ms", "p95_ms"),
           ("p99 ms", "p99_ms"), ("CPU ms/req {cpu}", "cpu_ms_per_request")]  # fmt: skip


def _cell(value: Any) -> str:
    if isinstance(value, dict):  # CPU per process: client/server[/neo4j]
        return "/".join(f"{v:.1f}" for v in value.values())
    return f"{value:,}"


def table(backend: str, result: Row) -> str:
    extra = (
        f", Neo4j peak RSS {result['neo4j_peak_rss_mib']} MiB"
        if "neo4j_peak_rss_mib" in result
        else ""
    )
    head = (
        f"{backend}: {result['entities']:,} entities, {result['relations']:,} relations, "
        f"{result['disk_mib']} MiB on disk, loaded in {result['load_seconds']} s; "
        f"server peak RSS {result['server_peak_rss_mib']} MiB{extra}"
    )
    cpu = "client/api" + ("/neo4j" if "neo4j_peak_rss_mib" in result else "")
    rows, notes = [[label.format(cpu=cpu) for label, _ in COLUMNS]], []
    for name, row in result["scenarios"].items():
        label = f"{name} (for {row['stand_in_for']})" if "stand_in_for" in row else name
        if "skipped" in row:
            rows.append([label, *("-" for _ in COLUMNS[1:])])
            notes.append(f"  {name} skipped: {row['skipped']}")
        else:
            rows.append([label, *(_cell(row[key]) for _, key in COLUMNS[1:])])
            if row["failures"]:
                notes.append(
                    f"  {name} failed {row['failure_kinds']}, e.g. {row['failure_samples'][0]}"
                )
    width = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, width, strict=True))
        )
        for r in rows
    ]
    return "\n".join([head, *lines, *notes])


async def run(args: argparse.Namespace) -> Row:
    graph = generate(args.entities, args.seed)
    backends = ["embedded", "neo4j"] if args.backend == "both" else [args.backend]
    report: Row = {
        "parameters": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "uvicorn": uvicorn.__version__,
            "httpx": httpx.__version__,
        },
        "results": {},
    }
    for backend in backends:
        report["results"][backend] = await bench_backend(backend, graph, args)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["embedded", "neo4j", "both"], default="both")
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=2_000, help="per scenario")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds, per scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=50, help="requests before each scenario")
    parser.add_argument("--core-only", action="store_true", help="only the core-schema scenarios")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds, per request")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--neo4j-heap", default="1g")
    parser.add_argument("--neo4j-pagecache", default="512m")
    parser.add_argument("--out", type=Path, default=Path("bench/results/api.json"))
    args = parser.parse_args(argv)
    try:
        report = asyncio.run(run(args))
    except KeyboardInterrupt:
        _log("interrupted: the server and Neo4j are stopped, nothing written")
        return 130
    for backend, result in report["results"].items():
        print(table(backend, result) + "\n")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
