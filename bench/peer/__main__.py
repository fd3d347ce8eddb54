"""graph-crm beside the Neo4j GraphQL Library on the same Neo4j (issue 15).

``python -m bench.peer``: one throwaway Neo4j holding the API bench's dataset, graph-crm
serving it (and, with ``--embedded``, the same data in an embedded store) and the library
(``@neo4j/graphql`` on ``@apollo/server``, one Node process, type definitions generated
from graph-crm's registry) serving it too; both checked to answer the same data, then timed
alternately, 8 requests in flight. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.api import REPO, backend_settings, serve
from bench.graphgen import generate, load
from bench.ingest_crm import Graph
from bench.peer import node_peer
from bench.peer.apoc import apoc_version, neo4j_with_apoc
from bench.peer.compare import check_same
from bench.peer.queries import PAIRS, Pair
from bench.peer.report import table
from bench.peer.timing import Side, alternate, prepare
from bench.peer.typedefs import type_definitions
from bench.scenarios import Pools
from graph_crm.auth.roles import Role
from graph_crm.services.api_keys import create_key
from graph_crm.settings import Settings
from graph_crm.store import open_store

Row = dict[str, Any]
TITLES = {
    "neo4j": "graph-crm on Neo4j beside the Neo4j GraphQL Library on the same Neo4j",
    "embedded": "graph-crm embedded beside the Neo4j GraphQL Library on Neo4j",
}


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def _load(settings: Settings, graph: Graph, batch: int) -> tuple[str, str]:
    """Load ``graph``; an analyst key's token and the peer's type definitions."""
    store = await open_store(settings)
    try:
        await load(store, graph, batch)
        token = await create_key(store, "bench-peer", Role.ANALYST, actor="bench")
        return token, type_definitions(await store.registry())
    finally:
        await store.close()


def _commit() -> str:
    def git(*args: str) -> str:
        return subprocess.check_output(["git", *args], cwd=REPO, text=True).strip()

    dirty = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "HEAD") + ("+uncommitted" if dirty else "")


def _neo4j_version(uri: str) -> str:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=None) as driver:
        records, _, _ = driver.execute_query("CALL dbms.components() YIELD versions, edition")
        return f"{records[0]['versions'][0]} {records[0]['edition']}"


async def _compare(
    base: str, peer_base: str, pids: dict[str, dict[str, int]], token: str, keys: list[str],
    pairs: list[Pair], args: Any,
) -> Row:  # fmt: skip
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=None)
    ours_headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx.AsyncClient(
            base_url=base, timeout=args.timeout, limits=limits, headers=ours_headers
        ) as ours,
        httpx.AsyncClient(base_url=peer_base, timeout=args.timeout, limits=limits) as peer,
    ):
        checked = await check_same(ours, peer, pairs, keys, args.sample, args.seed)
        _log(f"  same data on both: {checked}")
        sides = [
            Side("graph-crm", ours, Pools(keys), pids["graph-crm"], lambda pair: pair.ours),
            Side("peer", peer, Pools(keys), pids["peer"], lambda pair: pair.peer),
        ]
        await prepare(sides, pairs)
        return {"checked": checked, "scenarios": await alternate(sides, pairs, args)}


async def run(args: argparse.Namespace) -> Row:
    pairs = [pair for pair in PAIRS if not args.scenarios or pair.name in args.scenarios]
    graph = generate(args.scale, args.seed)
    keys = [row["key"] for row in graph.entities["Customer"]]
    entities, relations = graph.size()
    report: Row = {
        "parameters": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "dataset": {"entities": entities, "relations": relations, "customers": len(keys)},
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()},
        "queries": {
            pair.name: {"graph-crm": pair.ours.query, "peer": pair.peer.query} for pair in pairs
        },
        "comparisons": {},
    }
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-peer-")))
        _log("[peer] npm ci (skipped when node_modules matches the lockfile)")
        node_peer.install(tmp / "npm.log")
        neo4j = neo4j_with_apoc(args)
        _log(f"[neo4j] starting a local Neo4j with APOC (heap {args.neo4j_heap})")
        stack.callback(neo4j.stop)
        neo4j.start()
        settings = Settings(backend="neo4j", neo4j_uri=neo4j.uri)
        _log(f"[neo4j] loading {entities:,} entities, {relations:,} relations")
        token, sdl = await _load(settings, graph, args.batch)
        type_defs = tmp / "typedefs.graphql"
        type_defs.write_text(sdl)
        report["versions"] = {
            "graph-crm": _commit(),
            "neo4j": _neo4j_version(neo4j.uri),
            "python": platform.python_version(),
            "apoc": apoc_version(),
            **node_peer.versions(),
        }
        report["type_definitions"] = sdl
        peer_base, peer_server = stack.enter_context(
            node_peer.serve_peer(type_defs, neo4j.uri, tmp / "peer.log")
        )
        _log(f"[peer] serving at {peer_base}")
        backends = ["neo4j", "embedded"] if args.embedded else ["neo4j"]
        for backend in backends:
            ours_settings, ours_token = settings, token
            if backend == "embedded":
                (tmp / "embedded").mkdir()
                ours_settings, _, _ = backend_settings(stack, "embedded", tmp / "embedded", args)
                _log(f"[embedded] loading {entities:,} entities, {relations:,} relations")
                ours_token, _ = await _load(ours_settings, graph, args.batch)
            with serve(ours_settings, tmp / f"graph-crm-{backend}.log") as (base, server):
                _log(f"[{backend}] graph-crm serving at {base}; comparing")
                assert neo4j.pid is not None
                neo4j_pid = {"neo4j": neo4j.pid}
                pids = {
                    "graph-crm": {
                        "server": server.pid,
                        **(neo4j_pid if backend == "neo4j" else {}),
                    },
                    "peer": {"server": peer_server.pid, **neo4j_pid},
                }
                report["comparisons"][backend] = await _compare(
                    base, peer_base, pids, ours_token, keys, pairs, args
                )
    return report


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.peer", description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000, help="entities in the dataset")
    parser.add_argument("--rounds", type=int, default=3, help="runs per scenario and server")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run")
    parser.add_argument("--warmup", type=int, default=100, help="requests before each run")
    parser.add_argument("--requests", type=int, default=20_000, help="most requests per run")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--sample", type=int, default=20, help="questions compared per scenario")
    parser.add_argument("--embedded", action=argparse.BooleanOptionalAction, default=True,
                        help="also compare graph-crm's embedded store with the peer")  # fmt: skip
    parser.add_argument("--scenarios", type=lambda text: text.split(","), default=None,
                        help="comma-separated: " + ",".join(p.name for p in PAIRS))  # fmt: skip
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds, per request")
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--neo4j-heap", default="1g")
    parser.add_argument("--neo4j-pagecache", default="512m")
    parser.add_argument("--out", type=Path, default=Path("bench/results/peer.json"))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    unknown = set(args.scenarios or ()) - {pair.name for pair in PAIRS}
    if unknown:
        parser.error(f"no scenario {', '.join(sorted(unknown))}")
    try:
        report = asyncio.run(run(args))
    except KeyboardInterrupt:
        _log("interrupted: the servers and Neo4j are stopped, nothing written")
        return 130
    print(json.dumps(report["versions"]))
    for backend, result in report["comparisons"].items():
        print("\n" + table(TITLES[backend], result["scenarios"], backend == "neo4j"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
