"""Where a hop may take a partial path of a :class:`~graph_crm.model.traversal.TraversalPlan`.

The plan's geometry, shared by the pure search (:mod:`.traversal_search`) and the Cypher
it compiles to for Neo4j (``store/neo4j/traverse_compile.py``): how deep a complete path
may go, how many partial paths each state keeps, and from which (step, hops into the
step) one more hop may go where, never into a state from which the plan cannot be
completed within the depth limit.
"""

from __future__ import annotations

from graph_crm.model.traversal import TraversalPlan


def reach_depth(plan: TraversalPlan) -> int:
    """The most hops a complete path of ``plan`` may have."""
    return min(plan.max_depth, sum(step.max_hops for step in plan.steps))


def state_cap(plan: TraversalPlan, depth: int) -> int:
    """Partial paths kept per state at ``depth``: the paths wanted per target, plus one
    for each hop still possible (each may run into one kept path's entities)."""
    return plan.paths_per_target + reach_depth(plan) - depth


def hops_to_finish(plan: TraversalPlan) -> list[int]:
    """``[i]``: the fewest hops needed after entering step ``i + 1`` (the minimum hops
    of the steps after step ``i``); ``[-1]`` is the plan's minimum."""
    after = [0] * (len(plan.steps) + 1)
    for index in range(len(plan.steps) - 1, -1, -1):
        after[index] = after[index + 1] + plan.steps[index].min_hops
    # after[i] = min hops of steps i.. ; shift so that [i] holds steps i+1..
    return [*after[1:], after[0]]


def can_revisit(plan: TraversalPlan) -> bool:
    """Whether some walk of ``plan`` could land on a type an earlier position holds
    (then the node-simple rule, and so the cap, can matter)."""
    seen = set(plan.start_types)
    for step in plan.steps:
        if step.max_hops > 1 or step.lands_on & seen or not seen:
            return True
        seen |= step.lands_on
    return False


def move_table(plan: TraversalPlan, depth: int) -> dict[tuple[int, int], list[tuple[int, int]]]:
    """Where one more hop may take a partial path to ``depth``: from its (step, hops into
    the step) to each (step, hops) it may land in, from which the plan can still be
    completed within :func:`reach_depth` hops. A start is at (-1, 0).

    >>> from graph_crm.model.registry import Registry
    >>> from graph_crm.model.traversal import plan_traversal
    >>> from graph_crm.model.types import EntityType, RelationType
    >>> registry = Registry.from_definitions(1, [EntityType(name="Customer")],
    ...     [RelationType(name="PARENT_OF", from_type="Customer", to_type="Customer")])
    >>> steps = [{"relation": "PARENT_OF", "maxHops": 2}, {"relation": "PARENT_OF"}]
    >>> plan = plan_traversal(registry, {"Customer"}, steps)
    >>> move_table(plan, 2)
    {(0, 1): [(0, 2), (1, 1)]}
    >>> move_table(plan, 3)[(0, 2)]  # the last hop must be the second step's
    [(1, 1)]
    """
    deepest = reach_depth(plan)
    finish = hops_to_finish(plan)
    steps = plan.steps
    table: dict[tuple[int, int], list[tuple[int, int]]] = {}
    positions = [(-1, 0)] + [
        (index, hops) for index, step in enumerate(steps) for hops in range(1, step.max_hops + 1)
    ]
    for step, hops in positions:
        if hops > depth - 1 or (step < 0) != (depth == 1):
            continue  # no partial path of depth - 1 hops can be there
        moves: list[tuple[int, int]] = []
        if step >= 0 and hops < steps[step].max_hops:
            moves.append((step, hops + 1))
        if step + 1 < len(steps) and (step < 0 or hops >= steps[step].min_hops):
            moves.append((step + 1, 1))
        alive = [
            (index, landed)
            for index, landed in moves
            if depth + max(0, steps[index].min_hops - landed) + finish[index] <= deepest
        ]
        if alive:
            table[(step, hops)] = alive
    return table
