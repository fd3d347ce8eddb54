"""Mixed load benchmark: a real uvicorn server under reads, pages, traversals, impact
reports and writes at once (bench/mixed.py), bounded by count and time, on each backend.

    .venv/bin/python -m bench.load                       # 5,000 requests or 60 s, both backends
    .venv/bin/python -m bench.load --backend embedded --requests 1000

Prints throughput, p50/p99 overall and per kind, server errors (5xx or INTERNAL) and
failures, and writes the JSON to ``--out`` (default ``bench/results/load.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import mixed
from bench.api import serve
from graph_crm.settings import Settings
from graph_crm.store import open_store

Row = dict[str, Any]


async def bench_backend(backend: str, args: argparse.Namespace) -> Row:
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-load-")))
        if backend == "embedded":
            settings = Settings(db_path=str(tmp / "load.db"))
        else:
            from tools.neo4j_local import LocalNeo4j

            neo4j = LocalNeo4j(heap="1g", pagecache="512m", jvm_args=("-XX:TieredStopAtLevel=4",))
            stack.callback(neo4j.stop)
            neo4j.start()
            settings = Settings(backend="neo4j", neo4j_uri=neo4j.uri)
        store = await open_store(settings)
        try:
            pools, tokens = await mixed.prepare(store, keys_per_role=args.keys_per_role)
        finally:
            await store.close()
        base, _ = stack.enter_context(serve(settings, tmp / "server.log"))
        # a short warm-up (plans, caches, the mirror), then the measured run
        await mixed.run(base, tokens, pools, requests=100, duration=30, seed=args.seed + 1)
        result = await mixed.run(
            base,
            tokens,
            pools,
            requests=args.requests,
            duration=args.duration,
            concurrency=args.concurrency,
            seed=args.seed,
        )
        return result.summary()


def _table(results: dict[str, Row]) -> str:
    lines = ["backend   kind       requests   p50 ms   p99 ms"]
    for backend, row in results.items():
        lines.append(
            f"{backend:<9} {'all':<10} {row['requests']:>8} {row['p50_ms']:>8} {row['p99_ms']:>8}"
            f"   {row['req_per_s']} req/s, {row['server_errors']} server errors, "
            f"{sum(row['failures'].values())} failures, {row['writes']} writes"
        )
        for kind, figures in row["kinds"].items():
            lines.append(
                f"{'':<9} {kind:<10} {figures['requests']:>8} {figures['p50_ms']:>8} "
                f"{figures['p99_ms']:>8}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["embedded", "neo4j", "both"], default="both")
    parser.add_argument("--requests", type=int, default=5_000)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--keys-per-role",
        type=int,
        default=32,
        help="requests take turns over this many keys per role: the rate limit is per key",
    )
    parser.add_argument("--out", type=Path, default=Path("bench/results/load.json"))
    args = parser.parse_args(argv)
    backends = ["embedded", "neo4j"] if args.backend == "both" else [args.backend]
    results = {backend: asyncio.run(bench_backend(backend, args)) for backend in backends}
    print(_table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"parameters": {k: v for k, v in vars(args).items() if k != "out"}, "results": results}
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {args.out}")
    return 0 if all(row["server_errors"] == 0 for row in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
