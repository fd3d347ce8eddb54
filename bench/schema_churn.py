"""Schema churn: what one worker keeps after many definition changes (issue 15).

Defines entity types one by one through the API (httpx on the ASGI app, the embedded
store in a temporary directory), then relation types between them, and after every
change asks one typed question of the new schema. At the end it reports, in this
process: the GraphQL schemas still alive once a full collection has run, the objects
the collector tracks (``len(gc.get_objects())``), RSS and peak RSS, the longest
collector pause (``gc.callbacks``; the worst of the full, generation-2 ones apart) and
the slowest schema build.

    .venv/bin/python -m bench.schema_churn                       # 100 types, 200 relations
    .venv/bin/python -m bench.schema_churn --types 30 --relations 0

The table goes to stdout, the JSON to ``--out`` (default ``bench/results/schema_churn.json``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from graphql import GraphQLSchema

from graph_crm.api import create_app
from graph_crm.auth.roles import Role
from graph_crm.model.english import plural
from graph_crm.model.graphql_names import lower_first
from graph_crm.services.api_keys import create_key
from graph_crm.settings import Settings
from graph_crm.store.embedded.store import EmbeddedStore

Row = dict[str, Any]
DEFINE_ENTITY = """
mutation Define($input: EntityTypeInput!) { defineEntityType(input: $input) { __typename } }"""
DEFINE_RELATION = """
mutation Define($input: RelationTypeInput!) { defineRelationType(input: $input) { __typename } }"""
PROPERTIES = [
    {"name": "name", "kind": "STRING"},
    {"name": "tier", "kind": "ENUM", "values": ["GOLD", "SILVER"]},
    {"name": "value", "kind": "FLOAT"},
    {"name": "due", "kind": "DATE"},
]


def entity_name(index: int) -> str:
    return f"Kind{index:03}"


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


class GcPauses:
    """The collector's pauses, timed by ``gc.callbacks``: wall time, and the CPU time of
    the collecting thread (steadier on a shared machine, where waits inflate the wall)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.worst_full = 0.0
        self.worst_full_cpu = 0.0
        self.full = 0
        self._started = (0.0, 0.0)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = (time.perf_counter(), time.thread_time())
            return
        pause = time.perf_counter() - self._started[0]
        self.worst = max(self.worst, pause)
        if info["generation"] == 2:
            self.full += 1
            self.worst_full = max(self.worst_full, pause)
            self.worst_full_cpu = max(self.worst_full_cpu, time.thread_time() - self._started[1])


def live_schemas() -> int:
    """GraphQL schemas still reachable once a full collection has run."""
    gc.collect()
    return sum(isinstance(found, GraphQLSchema) for found in gc.get_objects())


async def _ask(client: httpx.AsyncClient, query: str, **variables: Any) -> Row:
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body: Row = response.json()
    if response.status_code != 200 or "errors" in body:
        raise RuntimeError(f"{query!r} failed: {body}")
    return body


async def churn(types: int, relations: int) -> Row:
    """Run the churn in this process and measure it."""
    pauses = GcPauses()
    with tempfile.TemporaryDirectory() as where:
        store = await EmbeddedStore.open(str(Path(where) / "churn.db"))
        try:
            app = create_app(Settings(backend="embedded"), store=store)
            token = await create_key(store, "bench", Role.ADMIN, actor="bench")
            transport = httpx.ASGITransport(app=app)
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers=headers
            ) as client:
                await _ask(client, "{ __typename }")
                start_schemas = live_schemas()
                start_objects = len(gc.get_objects())
                start_rss = _status_mib("VmRSS")
                gc.callbacks.append(pauses)
                started = time.perf_counter()
                for index in range(types + relations):
                    if index < types:
                        name = entity_name(index)
                        entity = {"name": name, "properties": PROPERTIES}
                        await _ask(client, DEFINE_ENTITY, input=entity)
                    else:
                        at = index - types
                        name = entity_name(at % types)
                        relation = {
                            "name": f"REL_{at:03}",
                            "from": name,
                            "to": entity_name((at * 7 + 3) % types),
                            "properties": [{"name": "since", "kind": "DATE"}],
                        }
                        await _ask(client, DEFINE_RELATION, input=relation)
                    await _ask(
                        client, f"{{ {plural(lower_first(name))}(first: 1) {{ totalCount }} }}"
                    )
                seconds = time.perf_counter() - started
                gc.callbacks.remove(pauses)
                objects_before_collect = len(gc.get_objects())
                schemas = live_schemas()
                builds = app.state.live_schema.builds
        finally:
            await store.close()
    return {
        "changes": types + relations,
        "types": types,
        "relations": relations,
        "seconds": round(seconds, 1),
        "schema_builds": builds,
        "live_schemas": schemas,
        "live_schemas_at_start": start_schemas,
        "tracked_objects": objects_before_collect,
        "tracked_objects_after_collect": len(gc.get_objects()),
        "tracked_objects_at_start": start_objects,
        "rss_mib": round(_status_mib("VmRSS"), 1),
        "rss_at_start_mib": round(start_rss, 1),
        "peak_rss_mib": round(_status_mib("VmHWM"), 1),
        "worst_gc_pause_ms": round(pauses.worst * 1000, 1),
        "worst_full_gc_pause_ms": round(pauses.worst_full * 1000, 1),
        "worst_full_gc_pause_cpu_ms": round(pauses.worst_full_cpu * 1000, 1),
        "full_collections": pauses.full,
    }


def table(result: Row) -> str:
    rows = [
        ("definition changes (types + relations)", f"{result['types']} + {result['relations']}"),
        ("run time (s)", result["seconds"]),
        ("schema builds", result["schema_builds"]),
        (
            "GraphQL schemas alive at start / end",
            "{live_schemas_at_start} / {live_schemas}".format(**result),
        ),
        ("tracked objects at the end", f"{result['tracked_objects']:,}"),
        ("tracked objects after gc.collect()", f"{result['tracked_objects_after_collect']:,}"),
        (
            "RSS at start / end / peak (MiB)",
            "{rss_at_start_mib} / {rss_mib} / {peak_rss_mib}".format(**result),
        ),
        ("worst GC pause (ms)", result["worst_gc_pause_ms"]),
        (
            "worst full (gen 2) GC pause, wall / CPU (ms)",
            "{worst_full_gc_pause_ms} / {worst_full_gc_pause_cpu_ms}".format(**result),
        ),
        ("full collections", result["full_collections"]),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--types", type=int, default=100)
    parser.add_argument("--relations", type=int, default=200)
    parser.add_argument("--out", default="bench/results/schema_churn.json")
    args = parser.parse_args(argv)
    result = asyncio.run(churn(args.types, args.relations))
    result["machine"] = {"cpu_count": os.cpu_count(), "python": platform.python_version()}
    print(table(result))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
