"""Ingest speed, side by side: graph-crm's ``write_batch`` against the bare statement (Neo4j)
and the bare SQLite inserts (embedded), alternating in one run, as ratios.

Each round writes ``--entities`` rows with 6 typed properties and ``--relations`` links
in batches of ``--batch``, on fresh labels / types: upsert into nothing, link, then the
same upsert again (every row unchanged; Neo4j only: the bare side runs its MERGE again).
graph-crm goes first in odd rounds, the floor in even ones. Then ``--csv-rows`` rows of
``bench/csv_files.py``'s export go through ``import_csv`` (parse + validate + write), in a
process of its own per backend, for rows/s and peak RSS. See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.ingest_csv import csv_import
from bench.ingest_floor import Neo4jFloor, SqliteFloor
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from graph_crm.store.neo4j.store import Neo4jStore

Row = dict[str, Any]
Batch = Callable[[Sequence[Row]], Awaitable[None]]
PHASES = ("upsert", "link", "reupsert")


def entity_type(name: str) -> Row:
    kinds = {"name": "STRING", "qty": "INT", "price": "FLOAT", "active": "BOOLEAN"}
    props = [{"name": n, "kind": k} for n, k in kinds.items()]
    props += [{"name": "since", "kind": "DATE"}, {"name": "seen", "kind": "DATETIME"}]
    return {"name": name, "properties": props}


def relation_type(name: str, ends: str) -> Row:
    props = [{"name": "weight", "kind": "FLOAT"}]
    return {"name": name, "from": ends, "to": ends, "properties": props}


def make_rows(entities: int, relations: int) -> tuple[list[Row], list[Row]]:
    """Deterministic rows: typed values as a caller holds them (dates as ``date``/``datetime``)."""
    day0, t0 = date(2015, 1, 1), datetime(2024, 1, 1, tzinfo=UTC)
    rows = [
        {
            "key": f"K{i:07d}",
            "name": f"Account {i} Trading Co.",
            "qty": i % 1000,
            "price": i * 0.25,
            "active": i % 3 != 0,
            "since": day0 + timedelta(days=i % 4000),
            "seen": t0 + timedelta(seconds=i * 37),
        }
        for i in range(entities)
    ]
    per = max(1, -(-relations // entities))
    links = [
        {
            "from": f"K{i % entities:07d}",
            "to": f"K{(i // per * 7 + i % per * 13 + 1) % entities:07d}",
            "properties": {"weight": i % 10 / 10},
        }
        for i in range(relations)
    ]
    unique = list({(r["from"], r["to"]): r for r in links}.values())
    return rows, unique


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _timed(batch: Batch, rows: Sequence[Row], size: int) -> tuple[float, float]:
    """Rows per second of wall time, and per CPU second of this process (every thread:
    the embedded store's and the SQLite floor's work runs here, so a busy machine changes
    this figure little; for Neo4j it counts the client only)."""
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(rows), size):
        await batch(rows[start : start + size])
    return len(rows) / (time.perf_counter() - started), len(rows) / (time.process_time() - cpu)


class Side:
    """One contestant's three phases for one round."""

    def __init__(self, name: str, upsert: Batch, link: Batch, again: bool = True) -> None:
        self.name, self.upsert, self.link = name, upsert, link
        #: whether the upsert can run again over the same rows (a bare INSERT cannot)
        self.again = again


async def _round(sides: list[Side], rows: list[Row], links: list[Row], size: int) -> Row:
    """Each side's rate per phase (rows per second), and per CPU second under ``"cpu"``."""
    rates: Row = {side.name: {} for side in sides}
    cpu: Row = {side.name: {} for side in sides}
    for phase in PHASES:
        for side in sides:
            if phase == "reupsert" and not side.again:
                continue
            batch = side.link if phase == "link" else side.upsert
            timed = await _timed(batch, links if phase == "link" else rows, size)
            rates[side.name][phase], cpu[side.name][phase] = timed
    return {**rates, "cpu": cpu}


def _crm(store: GraphStore, type_name: str, rel: str) -> Side:
    async def upsert(batch: Sequence[Row]) -> None:
        await store.write_batch({type_name: batch})

    async def link(batch: Sequence[Row]) -> None:
        await store.write_batch({}, {rel: batch})

    return Side("graph-crm", upsert, link)


async def _define(store: GraphStore, name: str, rel: str) -> None:
    await store.define_entity_type(entity_type(name))
    await store.define_relation_type(relation_type(rel, name))


async def bench_embedded(args: argparse.Namespace, rows: list[Row], links: list[Row]) -> Row:
    rounds: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        store = await EmbeddedStore.open(Path(tmp) / "crm.db")
        floor_db = Path(tmp) / "floor.db"
        try:
            for n in range(1, args.rounds + 1):
                name, rel = f"Item{n}", f"LINKS_{n}"
                await _define(store, name, rel)
                floor = SqliteFloor(floor_db, name, rel)

                async def f_upsert(batch: Sequence[Row], floor: SqliteFloor = floor) -> None:
                    floor.upsert(batch)

                async def f_link(batch: Sequence[Row], floor: SqliteFloor = floor) -> None:
                    floor.link(batch)

                sides = [_crm(store, name, rel), Side("floor", f_upsert, f_link, again=False)]
                rates = await _round(sides if n % 2 else sides[::-1], rows, links, args.batch)
                floor.close()
                rounds.append(rates)
                _log(f"embedded round {n}: {json.dumps(_rounded(rates))}")
        finally:
            await store.close()
    return _summary(rounds)


async def bench_neo4j(args: argparse.Namespace, rows: list[Row], links: list[Row]) -> Row:
    settings = Settings.from_env()
    uri = args.neo4j_uri or os.environ.get("GRAPH_CRM_NEO4J_URI")
    server = None
    if not uri:
        from tools.neo4j_local import LocalNeo4j

        # tools/neo4j_local tunes the JVM for short tests (C1-only JIT); re-enable C2 here.
        server = LocalNeo4j(heap="1g", pagecache="512m", jvm_args=("-XX:TieredStopAtLevel=4",))
        _log("starting a local Neo4j (heap 1g, pagecache 512m)")
        server.start()
        uri = server.uri
    password = settings.neo4j_password.get_secret_value()
    try:
        store = await Neo4jStore.open(uri, user=settings.neo4j_user, password=password)
        driver = store.session.db.transactions.driver  # the same driver and pool
        rounds: list[Row] = []
        try:
            tag = f"{int(time.time()) % 100000}"
            for n in range(1, args.rounds + 1):
                name, rel = f"Item{tag}R{n}", f"LINKS_{tag}_{n}"
                await _define(store, name, rel)
                floor = Neo4jFloor(driver, f"Floor{tag}R{n}", f"FLOOR_{tag}_{n}")
                await floor.prepare()
                sides = [_crm(store, name, rel), Side("floor", floor.upsert, floor.link)]
                rates = await _round(sides if n % 2 else sides[::-1], rows, links, args.batch)
                rounds.append(rates)
                _log(f"neo4j round {n}: {json.dumps(_rounded(rates))}")
        finally:
            await store.close()
        summary = _summary(rounds)
        if args.csv_rows:
            summary["csv"] = await asyncio.to_thread(csv_import, "neo4j", args.csv_rows, uri)
        return summary
    finally:
        if server:
            server.stop()


def _rounded(rates: Row) -> Row:
    return {
        side: _rounded(phases) if side == "cpu" else {k: round(v) for k, v in phases.items()}
        for side, phases in rates.items()
    }


def _summary(rounds: list[Row]) -> Row:
    """Per phase: each side's median rate, and the median of the per-round ratios; the
    same per CPU second."""
    out: Row = {"rounds": [_rounded(r) for r in rounds]}
    for phase in PHASES:
        crm = [r["graph-crm"][phase] for r in rounds]
        row: Row = {
            "graph-crm": round(statistics.median(crm)),
            "cpu": {
                "graph-crm": round(statistics.median(r["cpu"]["graph-crm"][phase] for r in rounds))
            },
        }
        if all(phase in r["floor"] for r in rounds):
            floor = [r["floor"][phase] for r in rounds]
            ratios = [c / f for c, f in zip(crm, floor, strict=True)]
            row["floor"] = round(statistics.median(floor))
            row["ratio"] = round(statistics.median(ratios), 2)
            cpu_floor = [r["cpu"]["floor"][phase] for r in rounds]
            cpu_ratios = [
                r["cpu"]["graph-crm"][phase] / f for r, f in zip(rounds, cpu_floor, strict=True)
            ]
            row["cpu"]["floor"] = round(statistics.median(cpu_floor))
            row["cpu"]["ratio"] = round(statistics.median(cpu_ratios), 2)
        out[phase] = row
    return out


LABELS = {
    "upsert": "upsert, rows/s",
    "link": "link, relations/s",
    "reupsert": "re-upsert of unchanged rows, rows/s",
}


def table(results: Row) -> str:
    lines = ["| | graph-crm | floor | ratio |", "|---|---:|---:|---:|"]
    for backend, summary in results.items():
        for phase in PHASES:
            row = summary[phase]
            floor, ratio = row.get("floor"), row.get("ratio")
            lines.append(
                f"| {backend} {LABELS[phase]} | {row['graph-crm']:,} | "
                f"{f'{floor:,}' if floor else '–'} | {ratio if ratio else '–'} |"
            )
    if embedded := results.get("embedded"):
        # in one process with its floor: rates per CPU second, what an idle core would do
        lines += ["", "| embedded, per CPU second of the process | graph-crm | floor | ratio |"]
        lines.append("|---|---:|---:|---:|")
        for phase in PHASES:
            cpu = embedded[phase]["cpu"]
            floor, ratio = cpu.get("floor"), cpu.get("ratio")
            lines.append(
                f"| {LABELS[phase].replace('/s', ' per CPU-s')} | {cpu['graph-crm']:,} | "
                f"{f'{floor:,}' if floor else '–'} | {ratio if ratio else '–'} |"
            )
    lines += ["", "| CSV import (parse + validate + write) | rows/s | peak RSS, MiB |"]
    lines.append("|---|---:|---:|")
    for backend, summary in results.items():
        if not (csv := summary.get("csv")):
            continue
        lines.append(f"| {backend}, {csv['rows']:,} rows | {csv['rate']:,} | {csv['peak_mib']} |")
    return "\n".join(lines)


async def run(args: argparse.Namespace) -> Row:
    rows, links = make_rows(args.entities, args.relations)
    _log(f"{len(rows):,} entities, {len(links):,} relations, batches of {args.batch:,}")
    results: Row = {}
    if args.backend in ("embedded", "both"):
        results["embedded"] = await bench_embedded(args, rows, links)
        if args.csv_rows:
            results["embedded"]["csv"] = await asyncio.to_thread(
                csv_import, "embedded", args.csv_rows, None
            )
    if args.backend in ("neo4j", "both"):
        results["neo4j"] = await bench_neo4j(args, rows, links)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=50_000)
    parser.add_argument("--relations", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--csv-rows", type=int, default=50_000, help="0 to skip")
    parser.add_argument("--backend", choices=["embedded", "neo4j", "both"], default="both")
    parser.add_argument("--neo4j-uri", help="an existing server (else a local one starts)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/ingest.json"))
    args = parser.parse_args(argv)
    results = asyncio.run(run(args))
    print(table(results))
    report = {
        "params": {k: str(v) for k, v in vars(args).items()},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
