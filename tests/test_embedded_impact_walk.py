"""The embedded impact walk touches the edges its plan follows, not the rest of the graph."""

from __future__ import annotations

import networkx as nx

from graph_crm.impact.plan import ImpactPlan, PlanStep, Rollup
from graph_crm.model.query import Filter
from graph_crm.model.traversal import Direction
from graph_crm.store.embedded.impact_walk import ImpactWalk

PLAN = ImpactPlan(
    policy="p",
    version=1,
    source_type="Warehouse",
    target_type="Customer",
    steps=(
        PlanStep("ROUTED_VIA", Direction.IN, "Shipment"),
        PlanStep("SHIPPED_FOR", Direction.OUT, "Customer"),
    ),
    rollup=None,
    sla=None,
    exposure=None,
    complaints=None,
)


def _graph(unrelated: int) -> nx.MultiDiGraph[int]:
    """Warehouse 0 <- shipments 1, 2 -> customer 3 (-> parent 4), plus unrelated shipments."""
    graph: nx.MultiDiGraph[int] = nx.MultiDiGraph()
    for near, far, relation in [
        (1, 0, "ROUTED_VIA"),
        (2, 0, "ROUTED_VIA"),
        (1, 3, "SHIPPED_FOR"),
        (2, 3, "SHIPPED_FOR"),
        (4, 3, "PARENT_OF"),
    ]:
        graph.add_edge(near, far, key=relation)
    for shipment in range(100, 100 + unrelated):
        graph.add_edge(shipment, 5, key="ROUTED_VIA")  # another warehouse
        graph.add_edge(shipment, 6, key="SHIPPED_FOR")  # another customer
    return graph


def _everyone(flt: Filter, rows: set[int]) -> set[int]:
    return rows


def test_cost_follows_the_edges_touched_not_the_graph() -> None:
    touched = []
    for unrelated in (0, 10_000):
        walk = ImpactWalk(_graph(unrelated), _everyone)
        paths = walk.reach(PLAN, 0)
        assert sorted(paths) == [(0, 1, 3), (0, 2, 3)]
        assert walk.climb(Rollup("PARENT_OF", Direction.IN, 2), paths) == [
            (0, 1, 3, 4),
            (0, 2, 3, 4),
        ]
        touched.append(walk.edges_touched)
    # 2 ROUTED_VIA into W, 1 SHIPPED_FOR out of each shipment, 1 PARENT_OF up from
    # customer 3 and none above its parent: 20,000 more relations elsewhere change nothing
    assert touched[0] == touched[1] == 2 + 2 + 1
