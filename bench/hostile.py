"""Hostile requests against a real server on the demo data, on each backend: what one
analyst key can make the server do, and what everyone else sees meanwhile.

    .venv/bin/python -m bench.hostile                     # both backends
    .venv/bin/python -m bench.hostile --backend embedded

Measures, per backend:
- the worst and median ``/healthz`` latency while an analyst's over-budget read runs
  (40,000 notes of 2 KB scanned by 150 ``contains``: ~18 s of work, stopped at the 5 s
  budget), and what that request got back, after how long;
- the nested relation filters that used to stall the server (2 and 4 hops);
- the time to refuse a chain of fragments that spread the next one twice, n=22 and 40;
- the server's RSS growth during a 5-hop traversal with ``limit: 1`` from one warehouse
  (alone, and as 30 aliases in one request), and what it answered.

Prints a table and writes ``--out`` (default ``bench/results/hostile.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.api import serve
from graph_crm.auth.roles import Role
from graph_crm.services.api_keys import create_key
from graph_crm.services.demo import DEMO_SEED
from graph_crm.services.seed import apply_seed, read_seed
from graph_crm.settings import Settings
from graph_crm.store import open_store
from tests.api.slow_read import SLOW_QUERY, SLOW_WHERE, load_notes

Row = dict[str, Any]


def _nested(hops: int) -> Row:
    """Shipments via a warehouse via a shipment ... whose status is missing (none is)."""
    where: Row = {"status": {"isNull": True}}
    for hop in range(hops):
        where = {"SHIPPED_VIA": {"direction": "IN" if hop % 2 == 0 else "OUT", "some": where}}
    return where


def nested_filter_query() -> str:
    return (
        'query Nested($where: JSON) { entities(type: "Shipment", first: 1, where: $where) '
        "{ totalCount edges { node { id } } } }"
    )


TRAVERSE = """{alias}traverse(from: ["Warehouse:RTM-02"], limit: 1, steps: [
  {{relation: "SHIPPED_VIA", direction: IN}}, {{relation: "SHIPPED_VIA", direction: OUT}},
  {{relation: "SHIPPED_VIA", direction: IN}}, {{relation: "SHIPPED_VIA", direction: OUT}},
  {{relation: "SHIPPED_VIA", direction: IN}}]) {{ truncated reached {{ id }} }}"""


def fragment_chain(n: int) -> str:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n))
    return f"query Chain {{ ...F0 }} {chain} fragment F{n} on Query {{ __typename }}"


def _rss_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _outcome(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if "error" in body:
        return f"HTTP {response.status_code} {body['error']['code']}"
    if body.get("errors"):
        return f"HTTP {response.status_code} {body['errors'][0].get('extensions', {}).get('code')}"
    return f"HTTP {response.status_code} ok"


def healthz_while(base: str, headers: dict[str, str], query: str, variables: Row) -> Row:
    """Run ``query`` once while /healthz is polled every 50 ms on another connection."""
    latencies: list[float] = []
    done = threading.Event()
    outcome: Row = {}

    def slow() -> None:
        started = time.perf_counter()
        with httpx.Client(timeout=600) as client:
            response = client.post(
                f"{base}/graphql", json={"query": query, "variables": variables}, headers=headers
            )
        outcome["seconds"] = round(time.perf_counter() - started, 2)
        outcome["answer"] = _outcome(response)
        done.set()

    worker = threading.Thread(target=slow)
    worker.start()
    with httpx.Client(timeout=600) as probe:
        time.sleep(0.2)
        while not done.is_set():
            started = time.perf_counter()
            probe.get(f"{base}/healthz")
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)
    worker.join()
    return {
        **outcome,
        "healthz_probes": len(latencies),
        "healthz_max_ms": round(max(latencies), 1) if latencies else None,
        "healthz_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
    }


def timed(base: str, headers: dict[str, str], query: str, variables: Row) -> Row:
    started = time.perf_counter()
    with httpx.Client(timeout=600) as client:
        response = client.post(
            f"{base}/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    return {"seconds": round(time.perf_counter() - started, 3), "answer": _outcome(response)}


def refusal_times(base: str, headers: dict[str, str], n: int, tries: int = 5) -> Row:
    document = fragment_chain(n)
    times: list[float] = []
    answer = ""
    with httpx.Client(timeout=600) as client:
        for _ in range(tries):
            started = time.perf_counter()
            response = client.post(f"{base}/graphql", json={"query": document}, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            answer = _outcome(response)
    return {"n": n, "median_ms": round(statistics.median(times), 1), "answer": answer}


def traversal_memory(base: str, pid: int, headers: dict[str, str], aliases: int) -> Row:
    fields = " ".join(
        TRAVERSE.format(alias=f"t{i}: " if aliases > 1 else "") for i in range(aliases)
    )
    before = _rss_mib(pid, "VmRSS")
    peak_before = _rss_mib(pid, "VmHWM")
    started = time.perf_counter()
    with httpx.Client(timeout=600) as client:
        response = client.post(
            f"{base}/graphql", json={"query": f"{{ {fields} }}"}, headers=headers
        )
    seconds = time.perf_counter() - started
    peak = _rss_mib(pid, "VmHWM")
    return {
        "aliases": aliases,
        "seconds": round(seconds, 2),
        "rss_before_mib": before,
        "peak_growth_mib": round(max(peak, peak_before) - before, 1),
        "answer": _outcome(response),
    }


async def _prepare(settings: Settings) -> dict[Role, str]:
    store = await open_store(settings)
    try:
        await apply_seed(store, read_seed(DEMO_SEED), actor="bench")
        await load_notes(store)
        return {
            role: await create_key(store, f"bench-{role.value}", role, actor="bench")
            for role in (Role.ANALYST, Role.ADMIN)
        }
    finally:
        await store.close()


def bench_backend(backend: str, args: argparse.Namespace) -> Row:
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-hostile-")))
        if backend == "embedded":
            settings = Settings(db_path=str(tmp / "hostile.db"))
        else:
            from tools.neo4j_local import LocalNeo4j

            neo4j = LocalNeo4j(heap="1g", pagecache="512m")
            stack.callback(neo4j.stop)
            neo4j.start()
            settings = Settings(backend="neo4j", neo4j_uri=neo4j.uri)
        settings = settings.model_copy(update={"budget_seconds_analyst": args.budget})
        keys = asyncio.run(_prepare(settings))
        base, server = stack.enter_context(serve(settings, tmp / "server.log"))
        analyst = {"Authorization": f"Bearer {keys[Role.ANALYST]}"}
        httpx.get(f"{base}/healthz")
        results: Row = {"budget_seconds": args.budget}
        results["over_budget"] = healthz_while(base, analyst, SLOW_QUERY, {"where": SLOW_WHERE})
        results["nested"] = {
            hops: timed(base, analyst, nested_filter_query(), {"where": _nested(hops)})
            for hops in (2, 4)
        }
        results["fragments"] = [refusal_times(base, analyst, n) for n in (22, 40)]
        results["traversal"] = [
            traversal_memory(base, server.pid, analyst, aliases) for aliases in (1, 30)
        ]
        return results


def _table(results: dict[str, Row]) -> str:
    lines = []
    for backend, row in results.items():
        lines.append(f"== {backend} (analyst store budget {row['budget_seconds']:g} s)")
        slow = row["over_budget"]
        lines.append(
            f"  over-budget read: {slow['answer']} after {slow['seconds']} s; /healthz meanwhile "
            f"max {slow['healthz_max_ms']} ms, p50 {slow['healthz_p50_ms']} ms over "
            f"{slow['healthz_probes']} probes"
        )
        for hops, nested in row["nested"].items():
            lines.append(
                f"  nested relation filter, {hops} hops: {nested['answer']} in "
                f"{nested['seconds']} s"
            )
        for chain in row["fragments"]:
            lines.append(
                f"  fragment chain n={chain['n']}: {chain['answer']} in {chain['median_ms']} ms"
            )
        for walk in row["traversal"]:
            lines.append(
                f"  5-hop traverse limit 1 x{walk['aliases']}: {walk['answer']} in "
                f"{walk['seconds']} s, RSS {walk['rss_before_mib']} MiB, peak growth "
                f"{walk['peak_growth_mib']} MiB"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["embedded", "neo4j", "both"], default="both")
    parser.add_argument("--budget", type=float, default=5.0, help="analyst store budget, s")
    parser.add_argument("--out", type=Path, default=Path("bench/results/hostile.json"))
    args = parser.parse_args(argv)
    backends = ["embedded", "neo4j"] if args.backend == "both" else [args.backend]
    results = {backend: bench_backend(backend, args) for backend in backends}
    print(_table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"parameters": vars(args) | {"out": str(args.out)}, "results": results},
            indent=2,
            default=str,
        )
        + "\n"
    )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
