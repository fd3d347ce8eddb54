"""bench/mixed.py's load, bounded, on a real server: reads, traversals, impact reports and
writes at once, each with its role's key. No server error, nothing lost: every write landed.

The figures (throughput, p99) come from ``python -m bench.load``; this asserts behaviour,
and that the benchmark's load itself still runs. Marked ``load``: ``scripts/test --all``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import mixed
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.api.servers import serving
from tests.neo4j_env import Neo4jTarget

pytestmark = pytest.mark.load

REQUESTS = 600
SECONDS = 60.0


async def _check(store: GraphStore, result: mixed.Result, complaints_before: int) -> None:
    assert result.server_errors == 0, result.samples
    assert not result.failures, result.samples
    assert result.requests == REQUESTS  # the bound is the count, not the clock
    assert result.writes == len(result.latencies_ms["write"])
    counts = await store.counts()
    assert counts.entities["Complaint"] == complaints_before + result.writes
    # every complaint written is linked to its customer exactly once
    filed = await store.list_entities(
        "Complaint", where={"FILED": {"direction": "IN", "some": {}}}, first=1
    )
    assert filed.total_count == counts.entities["Complaint"]


async def test_mixed_load_on_the_embedded_store(tmp_path: Path) -> None:
    store = await EmbeddedStore.open(tmp_path / "api.db")
    try:
        pools, tokens = await mixed.prepare(store)
        before = (await store.counts()).entities["Complaint"]
        with serving(tmp_path) as base:
            result = await mixed.run(base, tokens, pools, requests=REQUESTS, duration=SECONDS)
        await _check(store, result, before)
    finally:
        await store.close()


@pytest.mark.neo4j
async def test_mixed_load_on_neo4j(
    neo4j_store: GraphStore, neo4j_target: Neo4jTarget, tmp_path: Path
) -> None:
    pools, tokens = await mixed.prepare(neo4j_store)
    before = (await neo4j_store.counts()).entities["Complaint"]
    with serving(tmp_path, "--backend", "neo4j", "--neo4j-uri", neo4j_target.uri) as base:
        result = await mixed.run(base, tokens, pools, requests=REQUESTS, duration=SECONDS)
    await _check(neo4j_store, result, before)
