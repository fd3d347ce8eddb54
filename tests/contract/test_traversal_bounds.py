"""Traversal stops at its limit and its edge budget, with the same answer on every backend.

The reference is the pure search (graph_crm/model/traversal_search.py) over the same
graph held in a dict: each backend must give exactly its answer, pruning, limits and
edge counts included.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from graph_crm.errors import LimitExceeded
from graph_crm.model.search_graph import DictGraph
from graph_crm.model.traversal import Traversal, plan_traversal
from graph_crm.model.traversal_search import Found, search
from graph_crm.store.base import GraphStore
from graph_crm.store.budget import WorkBudget, work_budget
from tests.contract.reference_graph import load_reference_graph
from tests.examples import examples
from tests.model.traversal_reference import (
    REGISTRY,
    dict_graph,
    random_edges,
    random_steps,
)


def reference(
    graph: DictGraph, start: list[str], steps: list[Any], **options: Any
) -> tuple[Found, Any]:
    start_types = {gid.split(":", 1)[0] for gid in start}
    plan = plan_traversal(REGISTRY, start_types, steps, start=start, **options)
    return search(plan, start, graph), plan


def answer(result: Traversal) -> list[tuple[str, list[Any]]]:
    return [(e.id, result.paths[e.id]) for e in result.reached]


def expected(found: Found) -> list[tuple[str, list[Any]]]:
    return [(t.id, t.paths) for t in found.targets]


async def test_random_traversals_answer_as_the_reference_search(store: GraphStore) -> None:
    rng = random.Random(20261206)
    keys = {"Alpha": [f"a{i}" for i in range(7)], "Beta": [f"b{i}" for i in range(5)]}
    edges = random_edges(rng, keys, 0.3)
    await load_reference_graph(store, keys, edges)
    graph = dict_graph(edges)
    for _ in range(examples(24)):  # each plan's first run on Neo4j is planned: ~0.1 s a depth
        start_type = rng.choice(sorted(keys))
        start = [f"{start_type}:{k}" for k in rng.sample(keys[start_type], rng.randint(1, 2))]
        steps = random_steps(rng, keys, start_type)
        options = {"limit": rng.randint(1, 6), "paths_per_target": rng.randint(1, 3)}
        found, plan = reference(graph, start, steps, **options)
        result = await store.traverse(start, steps, **options)
        assert answer(result) == expected(found), (start, steps, options)
        assert result.truncated == found.truncated, (start, steps, options)
        # the edges it expands are counted alike: one fewer than it needs is refused
        with work_budget(WorkBudget(edges=found.expanded)):
            assert answer(await store.traverse(start, steps, **options)) == expected(found)
        if found.expanded:
            with work_budget(WorkBudget(edges=found.expanded - 1)), pytest.raises(LimitExceeded):
                await store.traverse(start, steps, **options)


async def test_nearest_targets_come_first_and_the_limit_cuts_the_rest(store: GraphStore) -> None:
    keys = {"Alpha": ["root", "a", "b", "c", "z"], "Beta": []}
    edges = [("PARENT_OF", "Alpha:root", f"Alpha:{k}") for k in ("a", "z")]
    edges += [("PARENT_OF", "Alpha:a", "Alpha:b"), ("PARENT_OF", "Alpha:b", "Alpha:c")]
    await load_reference_graph(store, keys, edges)
    down = [{"relation": "PARENT_OF", "maxHops": 3}]
    everything = await store.traverse(["Alpha:root"], down)
    assert [e.id for e in everything.reached] == ["Alpha:a", "Alpha:z", "Alpha:b", "Alpha:c"]
    assert not everything.truncated
    nearest = await store.traverse(["Alpha:root"], down, limit=2)
    assert [e.id for e in nearest.reached] == ["Alpha:a", "Alpha:z"]
    assert nearest.truncated
    assert [p.entity_ids for p in nearest.paths["Alpha:z"]] == [("Alpha:root", "Alpha:z")]
    exactly = await store.traverse(["Alpha:root"], down, limit=4)
    assert len(exactly.reached) == 4
    assert not exactly.truncated


async def test_millions_of_paths_cost_thousands_of_edges(store: GraphStore) -> None:
    # four hubs each linked from 100 entities: 5 hops from a hub have ~5.8 million paths
    keys = {"Alpha": [f"s{i:03}" for i in range(100)], "Beta": [f"w{i}" for i in range(4)]}
    edges = [("LINKS", f"Alpha:{s}", f"Beta:{w}") for s in keys["Alpha"] for w in keys["Beta"]]
    await load_reference_graph(store, keys, edges)
    out, back = {"relation": "LINKS"}, {"relation": "LINKS", "direction": "IN"}
    steps = [back, out, back, out, back]
    found, _ = reference(dict_graph(edges), ["Beta:w0"], steps, limit=1)
    assert found.expanded < 50_000
    with work_budget(WorkBudget(edges=50_000)):
        result = await store.traverse(["Beta:w0"], steps, limit=1)
    assert answer(result) == expected(found)
    assert [e.id for e in result.reached] == ["Alpha:s000"]
    assert result.truncated
    assert [p.entity_ids for p in result.paths["Alpha:s000"]][0] == (
        "Beta:w0",
        "Alpha:s001",
        "Beta:w1",
        "Alpha:s002",
        "Beta:w2",
        "Alpha:s000",
    )
    with work_budget(WorkBudget(edges=1_000)), pytest.raises(LimitExceeded) as refused:
        await store.traverse(["Beta:w0"], steps, limit=1)
    assert "more than 1,000 relation edges" in refused.value.message
    assert "lower maxDepth" in refused.value.message


async def test_one_path_per_target_still_finds_the_way_back(store: GraphStore) -> None:
    # hub <- s1, s2, s3 -> owner: s1's only way back goes out through s2 (or s3)
    keys = {"Alpha": ["owner", "s1", "s2", "s3"], "Beta": ["hub"]}
    edges = [("LINKS", f"Alpha:s{i}", "Beta:hub") for i in (1, 2, 3)]
    edges += [("PARENT_OF", "Alpha:owner", f"Alpha:s{i}") for i in (1, 2, 3)]
    await load_reference_graph(store, keys, edges)
    steps = [
        {"relation": "LINKS", "direction": "IN"},
        {"relation": "PARENT_OF", "direction": "IN"},
        {"relation": "PARENT_OF"},
    ]
    found, _ = reference(dict_graph(edges), ["Beta:hub"], steps, paths_per_target=1)
    # hub -> s1..s3 -> owner (3 paths, 2 kept: one per target and one spare) -> s1..s3
    assert found.expanded == 3 + 3 + 2 * 3
    with work_budget(WorkBudget(edges=found.expanded)):
        result = await store.traverse(["Beta:hub"], steps, paths_per_target=1)
    assert [e.id for e in result.reached] == ["Alpha:s1", "Alpha:s2", "Alpha:s3"]
    assert result.paths["Alpha:s1"][0].entity_ids == (
        "Beta:hub",
        "Alpha:s2",
        "Alpha:owner",
        "Alpha:s1",
    )
