"""A registry read while another process defines types is whole: the types it holds are
those of the version it says it is. Neo4j reads at read committed, so a read that scanned
the definitions while a definition change committed saw the new version with the old
definitions (this test failed 4 runs in 4 so); a process that cached such a read served
a type set short of its version until the next change, which
tests/faults/test_races.py caught once under CI's load. The registry is now read under
its lock (graph_crm/store/neo4j/statements.py, ``registry_whole``), and so is the registry
a dry run of a definition change is worked out against (``RegistryOps._planned``)."""

from __future__ import annotations

import asyncio

import pytest

from graph_crm.model.registry import ChangeKind
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation
from graph_crm.store.neo4j.store import Neo4jStore
from tests.neo4j_env import Neo4jTarget, open_neo4j_store

pytestmark = pytest.mark.neo4j

DEFINED = 30
PROBE = [
    DefinitionOperation(
        ChangeKind.DEFINE_ENTITY_TYPE,
        {"name": "Probe", "properties": [{"name": "x", "kind": "INT"}]},
    )
]


async def test_registry_reads_are_whole_while_types_are_defined(
    neo4j_store: GraphStore, neo4j_target: Neo4jTarget
) -> None:
    reader = await open_neo4j_store(neo4j_target)
    assert isinstance(reader, Neo4jStore)
    base = (await neo4j_store.registry()).version
    names = [f"Torn{n:02d}" for n in range(DEFINED)]
    #: the type names each version holds, as the writer made them
    expected = {base: set[str]()}
    done = asyncio.Event()

    async def write() -> None:
        try:
            for n, name in enumerate(names):
                await neo4j_store.define_entity_type(
                    {"name": name, "properties": [{"name": "city", "kind": "STRING"}]}
                )
                expected[base + n + 1] = set(names[: n + 1])
        finally:
            done.set()

    seen: list[tuple[int, set[str]]] = []
    #: what dry runs of defining one more type said the registry would become
    planned: list[tuple[int, set[str]]] = []

    async def read() -> None:
        while not done.is_set():
            registry = await reader.session.db.reload_registry()
            seen.append((registry.version, set(registry.entity_types)))

    async def dry_run() -> None:
        while not done.is_set():
            registry = await reader.apply_definitions(PROBE, actor="planner", dry_run=True)
            # one version past the registry it was worked out against, with one type more
            planned.append((registry.version - 1, set(registry.entity_types) - {"Probe"}))

    try:
        await asyncio.gather(write(), read(), read(), dry_run())
    finally:
        await reader.close()
    for reads in (seen, planned):
        torn = [(v, sorted(held ^ expected[v])) for v, held in reads if held != expected[v]]
        assert torn == []
        assert len({version for version, _ in reads}) > DEFINED // 4  # ran throughout
