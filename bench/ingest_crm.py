"""Ingest benchmark: a deterministic CRM-shaped graph, written into each backend.

Measures entities/s for ``upsert_entities``, relations/s for ``link``, an idempotent
re-upsert pass, peak memory and a 4-hop ``traverse`` latency sample. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from graph_crm.store.neo4j.store import Neo4jStore

Row = dict[str, Any]
MIB = 1024 * 1024


def _type(name: str, *props: tuple[str, str] | tuple[str, str, Row], **extra: Any) -> Row:
    specs = [{"name": p[0], "kind": p[1], **(p[2] if len(p) > 2 else {})} for p in props]
    return {"name": name, "properties": specs, **extra}


REQUIRED: Row = {"required": True}
ENTITY_TYPES = [
    _type("Customer", ("name", "STRING", REQUIRED), ("email", "STRING", {"unique": True}),
          ("tier", "ENUM", {"values": ["GOLD", "SILVER", "BRONZE"]}), ("revenue", "FLOAT"),
          ("employees", "INT"), ("since", "DATE"), ("lastContact", "DATETIME"),
          ("active", "BOOLEAN")),
    _type("Subsidiary", ("name", "STRING", REQUIRED), ("country", "STRING"), ("founded", "DATE")),
    _type("Buyer", ("name", "STRING", REQUIRED), ("email", "STRING"),
          ("title", "ENUM", {"values": ["PURCHASER", "MANAGER", "DIRECTOR"]})),
    _type("ChatLog", ("at", "DATETIME", REQUIRED), ("text", "STRING"),
          ("channel", "ENUM", {"values": ["WECHAT", "EMAIL", "PHONE"]}), ("score", "FLOAT")),
    _type("Competitor", ("name", "STRING", REQUIRED), ("marketShare", "FLOAT")),
    _type("Warehouse", ("name", "STRING", REQUIRED), ("city", "STRING"), ("capacity", "INT")),
    _type("Shipment", ("tracking", "STRING", REQUIRED), ("weightKg", "FLOAT"), ("pieces", "INT"),
          ("shippedOn", "DATE"), ("eta", "DATETIME"),
          ("status", "ENUM", {"values": ["BOOKED", "IN_TRANSIT", "DELIVERED"]})),
]  # fmt: skip
RELATION_TYPES = [
    _type("HAS_SUBSIDIARY", ("share", "FLOAT"), **{"from": "Customer", "to": "Subsidiary"}),
    _type("EMPLOYS", ("since", "DATE"), **{"from": "Subsidiary", "to": "Buyer"}),
    _type("WROTE", **{"from": "Buyer", "to": "ChatLog"}),
    _type(
        "MENTIONS",
        ("sentiment", "ENUM", {"values": ["POSITIVE", "NEUTRAL", "NEGATIVE"]}),
        **{"from": "ChatLog", "to": "Competitor"},
    ),
    _type("SHIPPED_VIA", **{"from": "Shipment", "to": "Warehouse"}),
    _type("FOR_CUSTOMER", **{"from": "Shipment", "to": "Customer"}),
    _type("PARENT_OF", **{"from": "Customer", "to": "Customer"}),
]
CHAIN = [{"relation": r, "direction": "OUT"} for r in ("HAS_SUBSIDIARY", "EMPLOYS", "WROTE")]
CHAIN.append({"relation": "MENTIONS", "direction": "OUT"})

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛"]
LATIN = ["Anna", "Kurt", "Maria", "John", "Olga", "Pierre", "Sven", "Lucia", "Tom", "Yuki"]
CITIES = ["上海", "深圳", "北京", "Hamburg", "Rotterdam", "Singapore", "Chicago", "杭州"]
WORDS = ["华信", "Globex", "Initech", "宏达", "Umbrella", "Acme", "远航", "Stark", "金桥", "Wayne"]
SUFFIX = ["贸易有限公司", " GmbH", " Ltd", " Inc.", "科技有限公司", " B.V."]
TEXTS = ["对比了 {c} 的报价", "{c} is cheaper this quarter", "客户提到 {c} 的交货期更短",
         "Asked about {c} pricing", "Lost a tender to {c}"]  # fmt: skip


@dataclass
class Graph:
    entities: dict[str, list[Row]] = field(default_factory=dict)
    links: dict[str, list[Row]] = field(default_factory=dict)

    def size(self) -> tuple[int, int]:
        return sum(map(len, self.entities.values())), sum(map(len, self.links.values()))


def generate(n: int, per_entity: float, seed: int) -> Graph:
    """A deterministic CRM graph of ``n`` entities and about ``per_entity * n`` relations."""
    rng = random.Random(seed)
    n_comp, n_wh = max(1, min(200, n // 25)), max(1, min(20, n // 250))
    n_cust, n_sub, n_buy, n_chat = max(1, n // 20), max(1, n // 10), max(1, n // 5), n * 9 // 20
    n_ship = max(0, n - n_comp - n_wh - n_cust - n_sub - n_buy - n_chat)
    keys = {
        t: [f"{t[:4].upper()}-{i:07d}" for i in range(c)]
        for t, c in (
            ("Customer", n_cust),
            ("Subsidiary", n_sub),
            ("Buyer", n_buy),
            ("ChatLog", n_chat),
            ("Competitor", n_comp),
            ("Warehouse", n_wh),
            ("Shipment", n_ship),
        )
    }
    day0, t0 = date(2015, 1, 1), datetime(2024, 1, 1, tzinfo=UTC)

    def company() -> str:
        chinese = rng.random() < 0.4
        return (
            f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(SUFFIX[:: 3 if chinese else 1])}"
        )

    def person() -> str:
        if rng.random() < 0.6:
            return rng.choice(SURNAMES) + rng.choice(GIVEN)
        return f"{rng.choice(LATIN)} {rng.choice(WORDS)}"

    def day() -> str:
        return (day0 + timedelta(days=rng.randrange(4000))).isoformat()

    def moment() -> str:
        return (t0 + timedelta(seconds=rng.randrange(63_000_000))).strftime("%Y-%m-%dT%H:%M:%SZ")

    def pick(type_name: str) -> str:
        return rng.choice(keys[type_name])

    make: dict[str, Callable[[int], Row]] = {
        "Customer": lambda i: {
            "name": company(),
            "email": f"ops{i}@c{i % 97}.example",
            "tier": rng.choice(["GOLD", "SILVER", "BRONZE"]),
            "revenue": rng.lognormvariate(13, 1.5),
            "employees": rng.randrange(5, 50_000),
            "since": day(),
            "lastContact": moment(),
            "active": rng.random() < 0.9,
        },
        "Subsidiary": lambda i: {
            "name": company(),
            "country": rng.choice(["CN", "DE", "NL", "US"]),
            "founded": day(),
        },
        "Buyer": lambda i: {
            "name": person(),
            "email": f"buyer{i}@example.com",
            "title": rng.choice(["PURCHASER", "MANAGER", "DIRECTOR"]),
        },
        "ChatLog": lambda i: {
            "at": moment(),
            "text": rng.choice(TEXTS).format(c=rng.choice(WORDS)) + f" #{i}",
            "channel": rng.choice(["WECHAT", "EMAIL", "PHONE"]),
            "score": rng.uniform(-1, 1),
        },
        "Competitor": lambda i: {
            "name": f"{rng.choice(WORDS)} {i}",
            "marketShare": rng.random() / 10,
        },
        "Warehouse": lambda i: {
            "name": f"{rng.choice(CITIES)} DC {i}",
            "city": rng.choice(CITIES),
            "capacity": rng.randrange(1_000, 100_000),
        },
        "Shipment": lambda i: {
            "tracking": f"TRK{rng.randrange(10**12):012d}",
            "weightKg": round(rng.uniform(0.5, 20_000), 2),
            "pieces": rng.randrange(1, 500),
            "shippedOn": day(),
            "eta": moment(),
            "status": rng.choice(["BOOKED", "IN_TRANSIT", "DELIVERED"]),
        },
    }
    graph = Graph(
        {t: [{"key": k, **make[t](i)} for i, k in enumerate(ks)] for t, ks in keys.items()}
    )

    def edges(rel: str, from_type: str, to_type: str, props: Callable[[], Row] = dict) -> None:
        graph.links[rel] = [
            {"from": pick(from_type), "to": k, "properties": props()} for k in keys[to_type]
        ]

    edges("HAS_SUBSIDIARY", "Customer", "Subsidiary", lambda: {"share": round(rng.random(), 3)})
    edges("EMPLOYS", "Subsidiary", "Buyer", lambda: {"since": day()})
    edges("WROTE", "Buyer", "ChatLog")
    ships = keys["Shipment"]
    graph.links["SHIPPED_VIA"] = [{"from": s, "to": pick("Warehouse")} for s in ships]
    graph.links["FOR_CUSTOMER"] = [{"from": s, "to": pick("Customer")} for s in ships]
    customers = keys["Customer"]
    graph.links["PARENT_OF"] = [
        {"from": customers[rng.randrange(i)], "to": customers[i]}
        for i in range(1, n_cust)
        if rng.random() < 0.2
    ]
    # MENTIONS fills up to the target: distinct competitors per chat log.
    wanted = max(0, round(per_entity * n) - graph.size()[1])
    base, extra = divmod(wanted, max(1, n_chat))
    more = set(rng.sample(range(n_chat), extra))
    graph.links["MENTIONS"] = [
        {
            "from": chat,
            "to": comp,
            "properties": {"sentiment": rng.choice(["POSITIVE", "NEGATIVE"])},
        }
        for i, chat in enumerate(keys["ChatLog"])
        for comp in rng.sample(keys["Competitor"], min(n_comp, base + (i in more)))
    ]
    return graph


def _proc_kib(name: str, pid: int | str = "self") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{name}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> bool:
    """Reset this process's VmHWM (Linux: write 5 to clear_refs); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _disk_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / MIB


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _timed_batches(
    rows: dict[str, list[Row]], batch: int, write: Callable[[str, list[Row]], Awaitable[Any]]
) -> tuple[float, dict[str, float], dict[str, int]]:
    total, per_type, outcome = 0.0, {}, {"created": 0, "updated": 0, "unchanged": 0}
    for type_name, items in rows.items():
        started = time.perf_counter()
        for start in range(0, len(items), batch):
            result = await write(type_name, items[start : start + batch])
            for name in outcome:
                outcome[name] += getattr(result, name)
        per_type[type_name] = time.perf_counter() - started
        total += per_type[type_name]
        _log(f"  {type_name}: {len(items):,} in {per_type[type_name]:.1f}s")
    return total, per_type, outcome


async def bench_store(
    store: GraphStore, graph: Graph, args: argparse.Namespace, server_pid: int | None
) -> Row:
    n_entities, n_links = graph.size()
    result: Row = {"entities": n_entities, "relations": n_links}
    rss_before, peak_reset = _proc_kib("VmRSS") or 0, _reset_peak_rss()
    for definition in ENTITY_TYPES:
        await store.define_entity_type(definition, actor="bench")
    for definition in RELATION_TYPES:
        await store.define_relation_type(definition, actor="bench")
    phases = (
        ("upsert", graph.entities, store.upsert_entities, n_entities),
        ("link", graph.links, store.link, n_links),
        ("reupsert", graph.entities, store.upsert_entities, n_entities),
    )
    for phase, rows, write, count in phases:
        _log(f"[{store.backend}] {phase}")
        seconds, per_type, outcome = await _timed_batches(rows, args.batch, write)
        per_type_rate = {t: round(_rate(len(rows[t]), s)) for t, s in per_type.items()}
        result[phase] = {
            "seconds": round(seconds, 3),
            "per_second": round(_rate(count, seconds)),
            "per_type_per_second": per_type_rate,
            **outcome,
        }
    counts = await store.counts()
    expected = (
        {t: len(v) for t, v in graph.entities.items()},
        {t: len(v) for t, v in graph.links.items()},
    )
    result["counts_ok"] = (counts.entities, counts.relations) == expected
    peak = _proc_kib("VmHWM") if peak_reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result["client_peak_rss_delta_mib"] = round(((peak or 0) - rss_before) / 1024, 1)
    result["client_peak_rss_note"] = (
        "VmHWM of this Python process (reset before the backend ran) minus VmRSS before it"
        if peak_reset
        else "ru_maxrss (process-lifetime peak) minus VmRSS before the backend ran"
    )
    if args.traverse_samples:
        _log(f"[{store.backend}] traverse x{args.traverse_samples}")
        rng = random.Random(args.seed + 1)
        starts = [f"Customer:{row['key']}" for row in graph.entities["Customer"]]
        timings, reached = [], []
        for _ in range(args.traverse_samples + 1):
            started = time.perf_counter()
            found = await store.traverse([rng.choice(starts)], CHAIN, limit=10_000)
            timings.append((time.perf_counter() - started) * 1000)
            reached.append(len(found.reached))
        warm = sorted(timings[1:]) or timings
        result["traverse"] = {
            "first_ms": round(timings[0], 1),
            "median_ms": round(statistics.median(warm), 1),
            "p95_ms": round(warm[min(len(warm) - 1, int(len(warm) * 0.95))], 1),
            "mean_reached": round(statistics.mean(reached), 1),
        }
        peak = _proc_kib("VmHWM") if peak_reset else None
        result["client_peak_rss_delta_with_traverse_mib"] = (
            round((peak - rss_before) / 1024, 1) if peak else None
        )
    server_hwm = _proc_kib("VmHWM", server_pid) if server_pid else None
    result["server_peak_rss_mib"] = round(server_hwm / 1024, 1) if server_hwm else "n/a"
    return result


def _table(results: dict[str, Row]) -> str:
    def get(row: Row, *path: str) -> Any:
        for part in path:
            row = row.get(part, {}) if isinstance(row, dict) else {}
        return row if row != {} else "-"

    metrics: list[tuple[str, tuple[str, ...]]] = [
        ("entities", ("entities",)),
        ("relations", ("relations",)),
        ("upsert entities/s", ("upsert", "per_second")),
        ("upsert s", ("upsert", "seconds")),
        ("link relations/s", ("link", "per_second")),
        ("link s", ("link", "seconds")),
        ("re-upsert entities/s", ("reupsert", "per_second")),
        ("re-upsert unchanged", ("reupsert", "unchanged")),
        ("counts ok", ("counts_ok",)),
        ("client peak RSS delta MiB", ("client_peak_rss_delta_mib",)),
        ("  ... incl. traverse MiB", ("client_peak_rss_delta_with_traverse_mib",)),
        ("server peak RSS MiB", ("server_peak_rss_mib",)),
        ("on-disk MiB", ("disk_mib",)),
        ("traverse first ms", ("traverse", "first_ms")),
        ("traverse median ms", ("traverse", "median_ms")),
        ("traverse p95 ms", ("traverse", "p95_ms")),
        ("traverse mean reached", ("traverse", "mean_reached")),
    ]
    for phase in ("upsert", "link"):
        for backend in results.values():
            for name in backend.get(phase, {}).get("per_type_per_second", {}):
                if (f"  {phase} {name}/s", (phase, "per_type_per_second", name)) not in metrics:
                    metrics.append((f"  {phase} {name}/s", (phase, "per_type_per_second", name)))

    def fmt(value: Any) -> str:
        return (
            f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
        )

    names = list(results)
    rows = [["metric", *names]] + [
        [label, *(fmt(get(results[b], *p)) for b in names)] for label, p in metrics
    ]
    width = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, width, strict=True))
        )
        for r in rows
    )


async def run(args: argparse.Namespace) -> Row:
    started = time.perf_counter()
    graph = generate(args.entities, args.relations_per_entity, args.seed)
    _log(
        f"generated {graph.size()[0]:,} entities, {graph.size()[1]:,} relations "
        f"in {time.perf_counter() - started:.1f}s"
    )
    backends = ["embedded", "neo4j"] if args.backend == "both" else [args.backend]
    report: Row = {
        "parameters": {k: v for k, v in vars(args).items() if k != "out"},
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "sqlite": sqlite3.sqlite_version,
        },
        "results": {},
    }
    if "embedded" in backends:
        with tempfile.TemporaryDirectory(prefix="bench-embedded-") as tmp:
            store = await EmbeddedStore.open(Path(tmp) / "bench.db")
            try:
                result = await bench_store(store, graph, args, None)
            finally:
                await store.close()
            result["disk_mib"] = round(_disk_mib(Path(tmp)), 1)
            report["results"]["embedded"] = result
    if "neo4j" in backends:
        report["results"]["neo4j"] = await _bench_neo4j(graph, args, report["machine"])
    return report


async def _bench_neo4j(graph: Graph, args: argparse.Namespace, machine: Row) -> Row:
    settings = Settings.from_env()
    uri = args.neo4j_uri or os.environ.get("GRAPH_CRM_NEO4J_URI")
    server = None
    if not uri:
        from tools.neo4j_local import LocalNeo4j

        # tools/neo4j_local tunes the JVM for short tests (C1-only JIT); re-enable C2 here.
        jit = () if args.neo4j_c1_only else ("-XX:TieredStopAtLevel=4",)
        server = LocalNeo4j(heap=args.neo4j_heap, pagecache=args.neo4j_pagecache, jvm_args=jit)
        _log(f"starting a local Neo4j (heap {args.neo4j_heap}, pagecache {args.neo4j_pagecache})")
        server.start()
        uri = server.uri
    try:
        password = settings.neo4j_password.get_secret_value()
        store = await Neo4jStore.open(
            uri, user=settings.neo4j_user, password=password, database=settings.neo4j_database
        )
        try:
            if (await store.registry()).entity_types:
                raise SystemExit(f"{uri} already holds graph_crm types: the bench needs it empty")
            info = (
                await store.session.db.transactions.driver.get_server_info()
            )  # no public accessor on the store
            machine["neo4j_version"] = info.agent
            result = await bench_store(store, graph, args, server.pid if server else None)
        finally:
            await store.close()
        if server and server.home:
            result["disk_mib"] = round(_disk_mib(server.home / "data"), 1)
        if server:
            result["neo4j_jvm"] = {
                "heap": args.neo4j_heap,
                "pagecache": args.neo4j_pagecache,
                "jit": "C1 only" if args.neo4j_c1_only else "C1+C2",
            }
        return result
    finally:
        if server:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--relations-per-entity", type=float, default=3.0)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--backend", choices=["embedded", "neo4j", "both"], default="both")
    parser.add_argument("--neo4j-uri", help="an existing, empty server (else a local one starts)")
    parser.add_argument("--neo4j-heap", default="1g")
    parser.add_argument("--neo4j-pagecache", default="512m")
    parser.add_argument(
        "--neo4j-c1-only", action="store_true", help="keep the test server's C1-only JIT"
    )
    parser.add_argument("--traverse-samples", type=int, default=20, help="0 to skip")
    parser.add_argument("--out", type=Path, default=Path("bench/results/ingest_crm.json"))
    args = parser.parse_args(argv)
    report = asyncio.run(run(args))
    print(_table(report["results"]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
