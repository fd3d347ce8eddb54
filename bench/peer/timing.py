"""Alternating timed runs: round by round, each scenario on graph-crm and on the peer, the
side that goes first swapped every round; per run req/s, latencies and the CPU time the
server process and Neo4j used (``/proc``), pooled per scenario and side at the end."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.loadgen import collect_cursors, draw, drive, percentile, summarise
from bench.peer.queries import Pair
from bench.procstat import cpu_seconds
from bench.scenarios import Pools, Scenario

Row = dict[str, Any]
MAX_PAGES = 200


@dataclass
class Side:
    """One server as the runs drive it."""

    name: str
    client: httpx.AsyncClient
    pools: Pools
    #: The processes whose CPU counts for this side: ``server`` and, on Neo4j, ``neo4j``.
    pids: dict[str, int]
    scenario: Callable[[Pair], Scenario]


@dataclass
class Pooled:
    """One scenario on one side over all rounds."""

    latencies_ms: list[float] = field(default_factory=list)
    requests: int = 0
    failures: int = 0
    seconds: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    runs: list[Row] = field(default_factory=list)

    def summary(self) -> Row:
        ordered = sorted(self.latencies_ms)
        per_request = max(1, self.requests)
        return {
            "requests": self.requests,
            "failures": self.failures,
            "req_per_s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(ordered, 0.50), 2),
            "p95_ms": round(percentile(ordered, 0.95), 2),
            "p99_ms": round(percentile(ordered, 0.99), 2),
            "cpu_ms_per_request": {
                name: round(seconds * 1000 / per_request, 2) for name, seconds in self.cpu.items()
            },
            "runs": self.runs,
        }


async def prepare(sides: list[Side], pairs: list[Pair]) -> None:
    """Walk the paged scenarios' pages on each side: its own cursors to start runs at."""
    for side in sides:
        for pair in pairs:
            if pair.paged:
                scenario = side.scenario(pair)
                side.pools.cursors[pair.name] = await collect_cursors(
                    side.client, scenario, MAX_PAGES
                )


async def _run(side: Side, pair: Pair, args: Any, round_no: int, pooled: Pooled) -> None:
    scenario = side.scenario(pair)
    bound = (args.concurrency, args.duration)
    warm = draw(scenario, side.pools, args.warmup, args.seed + 1000 + round_no)
    await drive(side.client, scenario, warm, *bound)
    measured = draw(scenario, side.pools, args.requests, args.seed + round_no)
    before = {name: cpu_seconds(pid) for name, pid in side.pids.items()}
    outcome = await drive(side.client, scenario, measured, *bound)
    used = {name: cpu_seconds(pid) - before[name] for name, pid in side.pids.items()}
    row = summarise(outcome)
    row["round"] = round_no
    row["cpu_ms_per_request"] = {
        name: round(seconds * 1000 / max(1, row["requests"]), 2)
        for name, seconds in used.items()
        if math.isfinite(seconds)
    }
    pooled.latencies_ms += outcome.latencies_ms
    pooled.requests += row["requests"]
    pooled.failures += row["failures"]
    pooled.seconds += outcome.seconds
    for name, seconds in used.items():
        if math.isfinite(seconds):
            pooled.cpu[name] = pooled.cpu.get(name, 0.0) + seconds
    pooled.runs.append(row)
    failed = f", {row['failures']} FAILED {row['failure_samples'][:1]}" if row["failures"] else ""
    print(
        f"  round {round_no + 1} {pair.name} {side.name}: {row['req_per_s']} req/s, "
        f"p50 {row['p50_ms']} ms{failed}",
        file=sys.stderr,
        flush=True,
    )


async def alternate(sides: list[Side], pairs: list[Pair], args: Any) -> dict[str, Row]:
    """``args.rounds`` rounds; per scenario name, per side name, the pooled figures."""
    pooled = {pair.name: {side.name: Pooled() for side in sides} for pair in pairs}
    for round_no in range(args.rounds):
        order = sides if round_no % 2 == 0 else sides[::-1]
        for pair in pairs:
            for side in order:
                await _run(side, pair, args, round_no, pooled[pair.name][side.name])
    return {
        name: {side: figures.summary() for side, figures in by_side.items()}
        for name, by_side in pooled.items()
    }
