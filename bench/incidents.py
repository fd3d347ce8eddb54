"""Incident latency: event accepted → incident version stored → subscriber notified.

    .venv/bin/python -m bench.incidents                       # the demo, both backends
    .venv/bin/python -m bench.incidents --scale 1m --backend embedded
    .venv/bin/python -m bench.incidents --runs 10 --burst 20  # quick check

Per backend and scale it loads a store, then serves it with ``graph-crm``'s app under
uvicorn (one worker, its event processor on, as ``graph-crm serve`` runs it) and plays an
integration: signed ``POST /events`` for the policy's source, one at a time, each with
another delay (so each stores a new version, "delay updated"), while a subscriber holds
``incidentChanged`` open over WebSocket (``graphql-transport-ws``). Per event:

- **accepted**: the POST's answer (202: the event is stored);
- **stored**: the event read back as processed, i.e. the incident's new version
  committed (the bench polls the store every ``--poll-ms``, from its own connection);
- **notified**: the subscriber's message for that version arrived, carrying what a risk
  team is told: the incident, the version, its totals, its top 10 rows and the diff.

All three are measured from just before the POST, on one clock. Then a **burst**: 100
events (``--burst``) for 100 different sources, posted 8 at a time; all must be
processed (none lost, none twice) and the throughput is events/s from the first POST to
the last event processed.

Scales: ``demo`` is ``seeds/crossborder.json`` with its policies (RTM-02 reaches 138
customers), plus 100 burst warehouses each shipping ~20 of its shipments; ``1m`` is
bench/impact_graph.py's logistics graph at 1M entities with a probe warehouse through
which 1,300 customers ship (~1,000 of them with goods in transit: affected), plus 100
burst warehouses each holding one container of 8 shipments.
Progress to stderr, the table to stdout, JSON to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import impact_graph
from bench.api import backend_settings, serve
from bench.procstat import cpu_seconds
from graph_crm.auth.integrations import Integration, signature
from graph_crm.auth.roles import Role
from graph_crm.incidents.events import EventStatus
from graph_crm.services.api_keys import create_key
from graph_crm.services.demo import DEMO_SEED, read_policies
from graph_crm.services.integrations import create_integration
from graph_crm.services.seed import apply_seed, read_seed
from graph_crm.store import open_store
from graph_crm.store.base import GraphStore

Row = dict[str, Any]
BURST_PREFIX = "BURST-"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Scale:
    name: str
    #: The source the timed events are about.
    source: str
    load: Callable[[GraphStore, argparse.Namespace], Awaitable[None]]


async def _load_demo(store: GraphStore, args: argparse.Namespace) -> None:
    seed = {**read_seed(DEMO_SEED), "impactPolicies": read_policies()}
    await apply_seed(store, seed, actor="bench")
    rng = random.Random(args.seed)
    shipments = [row["key"] for row in seed["entities"]["Shipment"]]
    warehouses = [{"key": f"{BURST_PREFIX}{i:03d}", "name": f"Burst {i}"} for i in range(100)]
    await store.upsert_entities("Warehouse", warehouses)
    links = [
        {"from": shipment, "to": row["key"]}
        for row in warehouses
        for shipment in rng.sample(shipments, 20)
    ]
    await store.link("SHIPPED_VIA", links)


async def _load_1m(store: GraphStore, args: argparse.Namespace) -> None:
    graph = impact_graph.generate(args.entities, [args.affected], args.seed)
    for definition in impact_graph.ENTITY_TYPES:
        await store.define_entity_type(definition, actor="bench")
    for definition in impact_graph.RELATION_TYPES:
        await store.define_relation_type(definition, actor="bench")
    await store.define_impact_policy(impact_graph.policy(), actor="bench")
    rng = random.Random(args.seed)
    shipments = [row["key"] for row in graph.entities["Shipment"]]
    for i in range(100):
        warehouse, container = f"{BURST_PREFIX}{i:03d}", f"{BURST_PREFIX}{i:03d}-K"
        graph.entities["Warehouse"].append({"key": warehouse, "name": warehouse})
        graph.entities["Container"].append({"key": container, "number": container})
        graph.links["HELD_AT"].append({"from": container, "to": warehouse})
        graph.links["PACKED_IN"].extend(
            {"from": shipment, "to": container} for shipment in rng.sample(shipments, 8)
        )
    total = sum(len(rows) for rows in graph.entities.values())
    done = 0
    for type_name, rows in graph.entities.items():
        for start in range(0, len(rows), args.batch):
            await store.upsert_entities(type_name, rows[start : start + args.batch])
            done += len(rows[start : start + args.batch])
        _log(f"    {type_name}: {len(rows):,} ({done:,}/{total:,} entities)")
    for relation, links in graph.links.items():
        for start in range(0, len(links), args.batch):
            await store.link(relation, links[start : start + args.batch])
        _log(f"    {relation}: {len(links):,} relations")


SCALES = {
    "demo": Scale("demo", "RTM-02", _load_demo),
    "1m": Scale("1m", "PROBE-{affected}", _load_1m),
}


def _event(event_id: str, source: str, delay_days: float) -> Row:
    return {
        "id": event_id,
        "type": "disruption",
        "source": {"type": "Warehouse", "key": source},
        "delayDays": delay_days,
        "note": "bench",
    }


async def _post(http: httpx.AsyncClient, integration: Integration, event: Row) -> float:
    body = json.dumps(event).encode()
    stamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-GraphCRM-Integration": integration.id,
        "X-GraphCRM-Timestamp": stamp,
        "X-GraphCRM-Signature": signature(integration.secret, stamp, body),
    }
    answer = await http.post("/events", content=body, headers=headers)
    if answer.status_code != 202:
        raise RuntimeError(f"POST /events answered {answer.status_code}: {answer.text[:300]}")
    return time.perf_counter()


@dataclass
class Subscriber:
    """``incidentChanged`` over graphql-transport-ws: when each (incident source,
    version) arrived."""

    arrived: dict[tuple[str, int], float] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    error: str | None = None

    async def wait_for(self, source: str, version: int, timeout: float) -> float | None:
        deadline = time.perf_counter() + timeout
        while (source, version) not in self.arrived:
            left = deadline - time.perf_counter()
            if left <= 0 or self.error is not None:
                return None
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), left)
        return self.arrived[(source, version)]


SUBSCRIPTION = """subscription {
  incidentChanged(filter: {versionsOnly: true}) {
    seq reason at status
    incident { id source status version }
    version { number reason delayDays }
    totals { affected predictedBreaches exposureAtRisk byTier { tier count } }
    topRows(first: 10) {
      policy
      rows { rank target label tier score slaBufferDays complaints exposure actions }
    }
    diff {
      policy unchanged
      entered { target label tier rank }
      left { target label tier rank }
      tierChanges { target fromTier toTier fromRank toRank reason }
    }
  }
}"""


@contextlib.asynccontextmanager
async def subscribed(base: str, token: str) -> AsyncIterator[Subscriber]:
    """A subscriber connected and acknowledged before the first event is posted."""
    import websockets

    subscriber = Subscriber()
    url = base.replace("http://", "ws://") + "/graphql"
    protocols = [websockets.Subprotocol("graphql-transport-ws")]
    async with websockets.connect(url, subprotocols=protocols) as socket:
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await socket.send(json.dumps(init))
        ack = json.loads(await socket.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"the subscription was refused: {ack}")
        payload = {"query": SUBSCRIPTION}
        await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))

        async def read() -> None:
            async for text in socket:
                message = json.loads(text)
                if message.get("type") == "next":
                    data = message["payload"].get("data") or {}
                    change = data.get("incidentChanged") or {}
                    if change.get("version"):
                        key = (change["incident"]["source"], change["version"]["number"])
                        subscriber.arrived.setdefault(key, time.perf_counter())
                        subscriber.changed.set()
                elif message.get("type") in ("error", "complete"):
                    subscriber.error = json.dumps(message)[:300]
                    subscriber.changed.set()
                    return

        reader = asyncio.create_task(read())
        await asyncio.sleep(0.3)  # the subscription is registered before anything is posted
        try:
            yield subscriber
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def _processed(
    store: GraphStore, integration: Integration, event_id: str, poll: float, timeout: float
) -> tuple[float, int]:
    """When the event was seen processed, and the version it stored."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        stored = await store.stored_event(integration.id, event_id)
        if stored is not None and stored.status is EventStatus.PROCESSED:
            assert stored.version is not None
            return time.perf_counter(), stored.version
        if stored is not None and stored.status is EventStatus.FAILED:
            raise RuntimeError(f"event {event_id} failed: {stored.error}")
        await asyncio.sleep(poll)
    raise RuntimeError(f"event {event_id} was not processed within {timeout} s")


def _percentiles(values: list[float]) -> Row:
    if not values:
        return {}
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 1)

    return {"p50_ms": round(statistics.median(ordered), 1), "p95_ms": at(0.95),
            "p99_ms": at(0.99), "max_ms": round(ordered[-1], 1), "n": len(ordered)}  # fmt: skip


async def _timed_events(
    http: httpx.AsyncClient,
    store: GraphStore,
    integration: Integration,
    subscriber: Subscriber | None,
    source: str,
    args: argparse.Namespace,
) -> Row:
    timings: dict[str, list[float]] = {"accepted": [], "stored": [], "notified": []}
    affected = None
    for index in range(args.warmup + args.runs):
        event_id = f"timed-{index}"
        delay = 5 + index % 2  # another delay each time: a new version, "delay updated"
        started = time.perf_counter()
        accepted = await _post(http, integration, _event(event_id, source, delay))
        stored, version = await _processed(store, integration, event_id, args.poll_ms / 1000, 60)
        notified = None
        if subscriber is not None:
            notified = await subscriber.wait_for(f"Warehouse:{source}", version, 30)
        if index < args.warmup:
            continue
        timings["accepted"].append((accepted - started) * 1000)
        timings["stored"].append((stored - started) * 1000)
        if notified is not None:
            timings["notified"].append((notified - started) * 1000)
    incident = await store.active_incident(f"Warehouse:{source}")
    if incident is not None:
        [latest] = await store.incident_versions(incident.id, since=incident.version - 1)
        affected = sum(len(report.targets) for report in latest.reports)
    return {"affected": affected, **{k: _percentiles(v) for k, v in timings.items()}}


async def _burst(
    http: httpx.AsyncClient, store: GraphStore, integration: Integration, args: argparse.Namespace
) -> Row:
    sources = [f"{BURST_PREFIX}{i:03d}" for i in range(args.burst)]
    events = [_event(f"burst-{source}", source, 4) for source in sources]
    gate = asyncio.Semaphore(8)

    async def post(event: Row) -> None:
        async with gate:
            await _post(http, integration, event)

    started = time.perf_counter()
    await asyncio.gather(*(post(event) for event in events))
    posted = time.perf_counter()
    waits = [
        _processed(store, integration, event["id"], args.poll_ms / 1000, 600) for event in events
    ]
    done = await asyncio.gather(*waits)
    finished = max(at for at, _ in done)
    incidents = 0
    for source in sources:
        incident = await store.active_incident(f"Warehouse:{source}")
        incidents += incident is not None and incident.version == 1
    seconds = finished - started
    return {
        "events": len(events),
        "processed": len(done),
        "incidents_at_version_1": incidents,
        "post_seconds": round(posted - started, 2),
        "seconds": round(seconds, 2),
        "events_per_s": round(len(events) / seconds, 1),
    }


async def bench(backend: str, scale: Scale, args: argparse.Namespace) -> Row:
    source = scale.source.format(affected=args.affected)
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-incidents-")))
        settings, _, _ = backend_settings(stack, backend, tmp, args)
        _log(f"[{backend} {scale.name}] loading")
        started = time.perf_counter()
        store = await open_store(settings)
        try:
            await scale.load(store, args)
            integration = await create_integration(store, "bench", ["disruption"], actor="bench")
            token = await create_key(store, "bench-subscriber", Role.RISK, actor="bench")
        finally:
            await store.close()
        loaded = round(time.perf_counter() - started, 1)
        base, server = stack.enter_context(serve(settings, tmp / "server.log"))
        _log(f"[{backend} {scale.name}] loaded in {loaded} s; serving at {base}")
        store = await open_store(settings)
        try:
            async with contextlib.AsyncExitStack() as session:
                http = await session.enter_async_context(
                    httpx.AsyncClient(base_url=base, timeout=120)
                )
                subscriber = None
                if not args.no_subscriber:
                    subscriber = await session.enter_async_context(subscribed(base, token))
                cpu = cpu_seconds(server.pid)
                timed = await _timed_events(http, store, integration, subscriber, source, args)
                timed["server_cpu_ms_per_event"] = round(
                    (cpu_seconds(server.pid) - cpu) * 1000 / (args.runs + args.warmup), 1
                )
                _log(f"  timed: {json.dumps(timed)}")
                burst = await _burst(http, store, integration, args) if args.burst else None
                _log(f"  burst: {json.dumps(burst)}")
        finally:
            await store.close()
    return {"load_seconds": loaded, "source": source, "timed": timed, "burst": burst}


def table(results: Row) -> str:
    lines = [
        "| backend | scale | affected | accepted p50/p95/p99 ms | stored p50/p95/p99 ms "
        "| notified p50/p95/p99 ms | burst: events, processed, events/s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in results.items():
        backend, scale = name.split("/")
        timed = row["timed"]

        def cell(leg: str, timed: Row = timed) -> str:
            p = timed.get(leg) or {}
            return f"{p['p50_ms']} / {p['p95_ms']} / {p['p99_ms']}" if p else "n/a"

        burst = row["burst"]
        told = f"{burst['events']}, {burst['processed']}, {burst['events_per_s']}" if burst else "-"
        lines.append(
            f"| {backend} | {scale} | {timed['affected']} | {cell('accepted')} | "
            f"{cell('stored')} | {cell('notified')} | {told} |"
        )
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> Row:
    backends = ["embedded", "neo4j"] if args.backend == "both" else [args.backend]
    scales = ["demo", "1m"] if args.scale == "both" else [args.scale]
    results: Row = {}
    for scale in scales:
        for backend in backends:
            results[f"{backend}/{scale}"] = await bench(backend, SCALES[scale], args)
    return {
        "parameters": {k: v for k, v in vars(args).items() if k != "out"},
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": os.getloadavg(),
        },  # fmt: skip
        "results": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["both", "embedded", "neo4j"], default="both")
    parser.add_argument("--scale", choices=["demo", "1m", "both"], default="demo")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--burst", type=int, default=100, help="0: no burst")
    parser.add_argument("--poll-ms", type=float, default=5.0)
    parser.add_argument("--no-subscriber", action="store_true")
    parser.add_argument("--entities", type=int, default=1_000_000, help="for --scale 1m")
    parser.add_argument("--affected", type=int, default=1300, help="for --scale 1m")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--neo4j-heap", default="2g")
    parser.add_argument("--neo4j-pagecache", default="1g")
    parser.add_argument("--out", type=Path, default=Path("bench/results/incidents.json"))
    args = parser.parse_args(argv)
    if not 0 <= args.burst <= 100:
        parser.error("--burst is 0 to 100 (there are 100 burst warehouses)")
    report = asyncio.run(run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(table(report["results"]))
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
