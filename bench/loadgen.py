"""A bounded GraphQL load generator: fixed concurrency, per-request latency, failures kept."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.scenarios import Pools, Scenario

Row = dict[str, Any]
SAMPLE_FAILURES = 3


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    failure_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0


async def post(client: httpx.AsyncClient, query: str, variables: Row) -> tuple[Row | None, str]:
    """The answer's ``data``, or None and why: transport, HTTP status, GraphQL errors."""
    try:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
    except httpx.HTTPError as error:
        return None, f"transport {type(error).__name__}: {error}"
    try:
        body = response.json()
    except ValueError:
        return None, f"http {response.status_code}: not JSON: {response.text[:200]}"
    if response.status_code != 200:
        return None, f"http {response.status_code}: {str(body)[:200]}"
    if body.get("errors"):
        return None, f"graphql errors: {body['errors'][0].get('message', '')[:200]}"
    data: Row | None = body.get("data")
    return data, "" if data is not None else "no data"


async def drive(
    client: httpx.AsyncClient,
    scenario: Scenario,
    variables: list[Row],
    concurrency: int,
    duration: float,
) -> Outcome:
    """Send the requests from ``concurrency`` workers until all are done or ``duration`` passes."""
    outcome = Outcome()
    issued = 0
    deadline = time.perf_counter() + duration

    async def worker() -> None:
        nonlocal issued
        while issued < len(variables) and time.perf_counter() < deadline:
            these = variables[issued]
            issued += 1
            started = time.perf_counter()
            data, why = await post(client, scenario.query, these)
            outcome.latencies_ms.append((time.perf_counter() - started) * 1000)
            if not why and (data or {}).get(scenario.root) is None:
                why = f"null {scenario.root}: {these}"
            if why:
                outcome.failures[why.split(":")[0]] += 1
                samples = outcome.failure_samples
                if len(samples) < SAMPLE_FAILURES and why not in samples:
                    samples.append(why)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    outcome.seconds = time.perf_counter() - started
    return outcome


async def collect_cursors(
    client: httpx.AsyncClient, scenario: Scenario, max_pages: int
) -> list[str | None]:
    """Walk a paged scenario's pages from the start; None stands for the first page."""
    cursors: list[str | None] = [None]
    while len(cursors) < max_pages:
        data, why = await post(client, scenario.query, {"after": cursors[-1]})
        if data is None or data.get(scenario.root) is None:
            break  # the measured run reports the failure
        info = data[scenario.root]["pageInfo"]
        if not info["hasNextPage"]:
            break
        cursors.append(info["endCursor"])
    return cursors


async def query_fields(client: httpx.AsyncClient) -> set[str]:
    """The live schema's Query fields (the typed ones appear once types are generated)."""
    data, why = await post(client, "{ __schema { queryType { fields { name } } } }", {})
    if data is None:
        raise RuntimeError(f"introspection failed: {why}")
    return {f["name"] for f in data["__schema"]["queryType"]["fields"]}


def draw(scenario: Scenario, pools: Pools, count: int, seed: int) -> list[Row]:
    """``count`` deterministic variable sets for a scenario."""
    rng = random.Random(f"{seed}:{scenario.name}")
    return [scenario.variables(rng, pools) for _ in range(count)]


def percentile(ordered: list[float], share: float) -> float:
    """Nearest-rank percentile of a sorted list.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5)
    2.0
    """
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def summarise(outcome: Outcome) -> Row:
    ordered = sorted(outcome.latencies_ms)
    count = len(ordered)
    return {
        "requests": count,
        "failures": sum(outcome.failures.values()),
        "failure_kinds": dict(outcome.failures),
        "failure_samples": outcome.failure_samples,
        "seconds": round(outcome.seconds, 2),
        "req_per_s": round(count / outcome.seconds, 1) if outcome.seconds else 0.0,
        "p50_ms": round(percentile(ordered, 0.50), 2),
        "p95_ms": round(percentile(ordered, 0.95), 2),
        "p99_ms": round(percentile(ordered, 0.99), 2),
        "max_ms": round(ordered[-1], 2) if ordered else None,
    }
