"""A traversal plan as one Cypher statement: ``traverse.cypher`` with a block per depth.

The statement runs the rules of :mod:`graph_crm.model.traversal_search` (so both
backends answer alike). Its text holds only registry-checked identifiers (the start
labels, the plan's relationship types, its filters), the depth numbers and
``$parameters``: where each partial path may go next, the caps, the limit and every
filter value are parameters, so plans of one shape share one cached query plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from graph_crm.model.traversal import TraversalPlan
from graph_crm.model.traversal_moves import move_table, reach_depth, state_cap
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.compile import Params, compile_filter

#: LIMIT of each depth's expansion when the request sets no edge budget.
UNBOUNDED_EDGES: Final = 2**62
#: Joins the ids (and the relationship types) of a path: no id holds a control character,
#: so the joined text sorts as the list of ids would.
SEPARATOR: Final = "\x1f"


def _filters(plan: TraversalPlan, params: Params) -> str:
    """A condition on ``m`` that depends on its ``step``: that step's filter."""
    parts = [
        f"(step = {index} AND {compile_filter(step.where, 'm', params)})"
        for index, step in enumerate(plan.steps)
        if step.where is not None
    ]
    unfiltered = [str(index) for index, step in enumerate(plan.steps) if step.where is None]
    if unfiltered:
        parts.append(f"(step IN [{', '.join(unfiltered)}])")
    return " OR ".join(parts)


def compile_traverse(
    plan: TraversalPlan,
    start_types: Sequence[str],
    params: Params,
    *,
    edge_budget: int | None,
) -> tuple[str, dict[str, Any]]:
    """The statement and its parameters (the filters' values go into ``params``)."""
    deepest = reach_depth(plan)
    filters = _filters(plan, params)
    relationship_types = "|".join(
        q.rel_type(name) for name in sorted({step.relation.name for step in plan.steps})
    )
    depths = [
        q.render(q.TRAVERSE_DEPTH, depth=str(depth), RelTypes=relationship_types, filters=filters)
        for depth in range(1, deepest + 1)
    ]
    statement = q.render(
        q.TRAVERSE,
        StartLabels="|".join(q.label(name) for name in sorted(start_types)),
        depths="\n".join(depths),
    )
    moves: list[dict[str, list[list[int]]]] = [{}] + [
        {
            f"{step}:{hops}": [list(move) for move in landing]
            for (step, hops), landing in move_table(plan, depth).items()
        }
        for depth in range(1, deepest + 1)
    ]
    last = len(plan.steps) - 1
    arguments: dict[str, Any] = {
        "moves": moves,
        "relations": [step.relation.name for step in plan.steps],
        "directions": [step.direction.value for step in plan.steps],
        "caps": [state_cap(plan, depth) for depth in range(deepest + 1)],
        "spare": [plan.paths_per_target] * deepest + [0],
        "pathsPerTarget": plan.paths_per_target,
        "limit": plan.limit,
        "lastStep": last,
        "lastMinHops": plan.steps[last].min_hops,
        "separator": SEPARATOR,
        "edgeBudget": UNBOUNDED_EDGES if edge_budget is None else edge_budget,
        "edgeLimit": UNBOUNDED_EDGES if edge_budget is None else edge_budget + 1,
    }
    return statement, arguments
