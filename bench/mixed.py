"""A bounded, mixed GraphQL load on the demo dataset: reads, pages, traversals, impact
reports and writes at once, each with the role whose job it is.

Used by ``bench/load.py`` (figures) and ``tests/api/test_load.py`` (zero server errors,
exact counts). Bounded twice: at most ``requests`` requests and ``duration`` seconds.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

from bench.loadgen import percentile
from graph_crm.auth.roles import Role
from graph_crm.services.api_keys import create_key
from graph_crm.services.demo import load_policies
from graph_crm.services.seed import apply_seed, read_seed
from graph_crm.store.base import GraphStore

Row = dict[str, Any]
SEED: Final = Path(__file__).resolve().parent.parent / "seeds" / "crossborder.json"
AS_OF: Final = "2026-11-23T09:00:00Z"


@dataclass(frozen=True)
class Pools:
    customers: list[str]
    warehouses: list[str]


@dataclass(frozen=True)
class Kind:
    name: str
    weight: int
    role: Role
    query: str
    variables: Callable[[random.Random, Pools, int], Row]
    root: str  # the field whose non-error answer counts as success


def _customer(rng: random.Random, pools: Pools, _: int) -> Row:
    return {"key": rng.choice(pools.customers)}


def _page(rng: random.Random, pools: Pools, _: int) -> Row:
    return {"status": rng.choice(["IN_TRANSIT", "DELIVERED", "BOOKED"])}


def _walk(rng: random.Random, pools: Pools, _: int) -> Row:
    return {
        "from": [f"Warehouse:{rng.choice(pools.warehouses)}"],
        "steps": [
            {"relation": "SHIPPED_VIA", "direction": "IN"},
            {"relation": "FOR_CUSTOMER", "direction": "OUT"},
        ],
    }


def _impact(rng: random.Random, pools: Pools, _: int) -> Row:
    return {"source": f"Warehouse:{rng.choice(pools.warehouses)}", "delay": rng.randint(1, 9)}


def _write(rng: random.Random, pools: Pools, number: int) -> Row:
    key = f"LOAD-{number:06d}"
    return {
        "records": [{"key": key, "filedAt": AS_OF, "severity": "LOW", "summary": "load test"}],
        "links": [{"from": rng.choice(pools.customers), "to": key}],
    }


KINDS: Final = (
    Kind(
        "lookup",
        30,
        Role.ANALYST,
        "query($key: String!) { customer(key: $key) { key name tier hasContract { key } } }",
        _customer,
        "customer",
    ),
    Kind(
        "page",
        15,
        Role.ANALYST,
        "query($status: ShipmentStatus!) { shipments(where: {status: {eq: $status}}, "
        "orderBy: [{field: value, direction: DESC}], first: 20) "
        "{ totalCount edges { node { key value } } } }",
        _page,
        "shipments",
    ),
    Kind(
        "traverse",
        20,
        Role.ANALYST,
        "query($from: [ID!]!, $steps: [StepInput!]!) "
        "{ traverse(from: $from, steps: $steps, limit: 100) { reached { id } truncated } }",
        _walk,
        "traverse",
    ),
    Kind(
        "impact",
        15,
        Role.RISK,
        "query($source: ID!, $delay: Float!) { impactReport(source: $source, delayDays: $delay, "
        'policy: "customs-delay", '
        f'asOf: "{AS_OF}", limit: 20) '
        "{ totals { affected } targets { rank target score } } }",
        _impact,
        "impactReport",
    ),
    Kind(
        "write",
        20,
        Role.INTEGRATION,
        "mutation($records: [JSON!]!, $links: [LinkInput!]!) { "
        'upsert: upsertEntities(type: "Complaint", records: $records) '
        "{ __typename ... on WritePayload { created } } "
        'link: linkEntities(relation: "FILED", links: $links) '
        "{ __typename ... on WritePayload { created } } }",
        _write,
        "upsert",
    ),
)


@dataclass
class Result:
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    server_errors: int = 0  # HTTP 5xx, or a GraphQL INTERNAL error
    failures: Counter[str] = field(default_factory=Counter)  # anything else not answered
    samples: list[str] = field(default_factory=list)
    writes: int = 0  # complaints created and linked
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies_ms.values())

    def summary(self) -> Row:
        every = sorted(x for v in self.latencies_ms.values() for x in v)
        per_kind = {
            name: {
                "requests": len(values),
                "p50_ms": round(percentile(sorted(values), 0.50), 1),
                "p99_ms": round(percentile(sorted(values), 0.99), 1),
            }
            for name, values in sorted(self.latencies_ms.items())
        }
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "req_per_s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(every, 0.50), 1),
            "p99_ms": round(percentile(every, 0.99), 1),
            "server_errors": self.server_errors,
            "failures": dict(self.failures),
            "failure_samples": self.samples,
            "writes": self.writes,
            "kinds": per_kind,
        }


async def prepare(store: GraphStore, keys_per_role: int = 1) -> tuple[Pools, dict[Role, list[str]]]:
    """Seed the demo dataset and policy; ``keys_per_role`` keys for each role the mix uses
    (requests take turns over them: the rate limit is per key)."""
    await apply_seed(store, read_seed(SEED), actor="load")
    await load_policies(store)
    seed = read_seed(SEED)
    pools = Pools(
        customers=sorted(row["key"] for row in seed["entities"]["Customer"]),
        warehouses=sorted(row["key"] for row in seed["entities"]["Warehouse"]),
    )
    roles = {kind.role for kind in KINDS}
    tokens = {
        role: [
            await create_key(store, f"load-{role.value}-{n}", role, actor="load")
            for n in range(keys_per_role)
        ]
        for role in roles
    }
    return pools, tokens


async def run(
    base: str,
    tokens: dict[Role, list[str]],
    pools: Pools,
    *,
    requests: int,
    duration: float,
    concurrency: int = 8,
    seed: int = 7,
) -> Result:
    rng = random.Random(seed)
    weights = [kind.weight for kind in KINDS]
    plan = [rng.choices(KINDS, weights)[0] for _ in range(requests)]
    result = Result()
    issued = 0
    deadline = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def worker() -> None:
            nonlocal issued
            while issued < len(plan) and time.perf_counter() < deadline:
                number, kind = issued, plan[issued]
                issued += 1
                variables = kind.variables(random.Random(f"{seed}:{number}"), pools, number)
                keys = tokens[kind.role]
                headers = {"Authorization": f"Bearer {keys[number % len(keys)]}"}
                started = time.perf_counter()
                why = await _one(client, kind, variables, headers, result)
                result.latencies_ms.setdefault(kind.name, []).append(
                    (time.perf_counter() - started) * 1000
                )
                if why:
                    result.failures[kind.name] += 1
                    if len(result.samples) < 5:
                        result.samples.append(f"{kind.name}: {why}")
                elif kind.name == "write":
                    result.writes += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result


async def _one(
    client: httpx.AsyncClient, kind: Kind, variables: Row, headers: dict[str, str], result: Result
) -> str:
    """Why the request was not answered as asked ('' when it was)."""
    try:
        response = await client.post(
            "/graphql", json={"query": kind.query, "variables": variables}, headers=headers
        )
    except httpx.HTTPError as error:
        return f"transport {type(error).__name__}"
    text = response.text
    if response.status_code >= 500 or '"INTERNAL"' in text:
        result.server_errors += 1
        return f"server error {response.status_code}: {text[:200]}"
    if response.status_code != 200:
        return f"http {response.status_code}: {text[:200]}"
    body = json.loads(text)
    if body.get("errors"):
        return f"graphql: {body['errors'][0].get('message', '')[:200]}"
    answer = (body.get("data") or {}).get(kind.root)
    if answer is None or (isinstance(answer, dict) and answer.get("__typename") == "Error"):
        return f"no {kind.root}: {text[:200]}"
    if kind.name == "write" and body["data"]["link"].get("__typename") != "WritePayload":
        return f"link failed: {text[:200]}"
    return ""
