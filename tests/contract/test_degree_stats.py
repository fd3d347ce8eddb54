"""degree_stats: entities per type and how each relation type spreads, on both backends."""

from __future__ import annotations

import random
from collections import Counter

from graph_crm.model.degree_stats import DegreeStats, FanOut, RelationDegrees
from graph_crm.model.traversal import Direction
from graph_crm.store.base import GraphStore
from tests.contract.reference_graph import load_reference_graph
from tests.model.traversal_reference import ENDS, random_edges


async def test_degree_stats_count_ends_edges_and_the_largest_degree(store: GraphStore) -> None:
    assert await store.degree_stats() == DegreeStats()
    rng = random.Random(11)
    keys = {"Alpha": [f"a{i}" for i in range(9)], "Beta": [f"b{i}" for i in range(4)]}
    edges = [edge for edge in random_edges(rng, keys, 0.4) if edge[0] != "BACK"]
    await load_reference_graph(store, keys, edges)
    expected: dict[str, RelationDegrees] = {}
    for relation in sorted(ENDS):
        mine = [(source, target) for name, source, target in edges if name == relation]
        out, into = Counter(s for s, _ in mine), Counter(t for _, t in mine)
        expected[relation] = RelationDegrees(
            edges=len(mine),
            from_ends=len(out),
            to_ends=len(into),
            max_out=max(out.values(), default=0),
            max_in=max(into.values(), default=0),
        )
    stats = await store.degree_stats()
    assert stats == DegreeStats({"Alpha": 9, "Beta": 4}, expected)
    assert expected["BACK"] == RelationDegrees()  # defined, never linked
    links = expected["LINKS"]
    assert stats.fan_out("LINKS", Direction.IN) == FanOut(links.edges / links.to_ends, links.max_in)
