"""Bounded breadth-first evaluation of a :class:`~graph_crm.model.traversal.TraversalPlan`.

Pure: the store hands in its graph as a :class:`~.search_graph.SearchGraph` (the
embedded mirror; examples and tests use a :class:`~.search_graph.DictGraph`). Neo4j
runs the same rules in one Cypher statement (``cypher/traverse*.cypher``), so both
backends answer alike, limits and edge budget included; :mod:`graph_crm.model.traversal`
states what the rules guarantee.

A partial path sits at a *state*: its last entity, the step it is in and the hops it
has taken in that step. Depth by depth, every partial path is extended by one hop,
either within its step (while the step may repeat) or into the next step, never back
onto an entity it holds, never into a state from which the plan cannot be completed
within the depth limit. Of the partial paths from one start that reach one state at
one depth, :func:`_select` keeps the first :func:`~.traversal_moves.state_cap` in path
order and, for each entity inside those, the first ``paths_per_target`` that avoid it.

>>> from graph_crm.model.registry import Registry
>>> from graph_crm.model.search_graph import DictGraph
>>> from graph_crm.model.traversal import plan_traversal
>>> from graph_crm.model.types import EntityType, RelationType
>>> registry = Registry.from_definitions(1, [EntityType(name="Customer")],
...     [RelationType(name="PARENT_OF", from_type="Customer", to_type="Customer")])
>>> plan = plan_traversal(registry, {"Customer"}, [{"relation": "PARENT_OF", "maxHops": 3}])
>>> graph = DictGraph({("HOLD", "PARENT_OF"): ["A", "B"], ("A", "PARENT_OF"): ["A1"]})
>>> found = search(plan, ["HOLD"], graph)
>>> [(target.id, target.distance) for target in found.targets]
[('A', 1), ('B', 1), ('A1', 2)]
>>> found.targets[2].paths[0].entity_ids, found.truncated, found.expanded
(('HOLD', 'A', 'A1'), False, 3)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Final, Generic, TypeVar

from graph_crm.errors import LimitExceeded
from graph_crm.model.search_graph import SearchGraph
from graph_crm.model.traversal import Direction, Hop, Path, PlannedStep, TraversalPlan
from graph_crm.model.traversal_moves import move_table, reach_depth, state_cap

N = TypeVar("N", bound=Hashable)
#: Expansions between two calls of the ``tick`` hook (a deadline check).
TICK_EVERY: Final = 4_096

OVER_BUDGET: Final = (
    "this traversal would expand more than {budget:,} relation edges, this request's "
    "budget: add filters to its steps, lower maxDepth or ask for a smaller limit"
)


@dataclass(frozen=True, slots=True)
class _Partial(Generic[N]):
    nodes: tuple[N, ...]
    ids: tuple[str, ...]
    directions: tuple[str, ...]
    relations: tuple[str, ...]
    step: int  # -1 at a start entity
    hops: int  # hops taken in ``step``

    def order(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        return (self.ids, self.directions, self.relations)

    def path(self) -> Path:
        return Path(
            self.ids,
            tuple(
                Hop(relation, Direction(direction))
                for relation, direction in zip(self.relations, self.directions, strict=True)
            ),
        )


@dataclass(slots=True)
class Target:
    id: str
    #: The length of its shortest path found.
    distance: int
    paths: list[Path] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Found:
    #: Nearest first, then by id: the first ``limit`` targets.
    targets: list[Target]
    #: More targets than ``limit`` exist.
    truncated: bool
    #: Relation edges expanded.
    expanded: int


def search(
    plan: TraversalPlan,
    start: Sequence[N],
    graph: SearchGraph[N],
    *,
    edge_budget: int | None = None,
    tick: Callable[[], None] | None = None,
) -> Found:
    """Evaluate ``plan`` from ``start``; see the module and :mod:`.traversal` docs.

    More than ``edge_budget`` expansions raise :class:`~graph_crm.errors.LimitExceeded`;
    ``tick`` is called every :data:`TICK_EVERY` expansions (to check a deadline).
    """
    steps = plan.steps
    last = len(steps) - 1
    deepest = reach_depth(plan)
    wanted = plan.paths_per_target
    frontier: list[_Partial[N]] = [
        _Partial((node,), (graph.gid(node),), (), (), -1, 0)
        for node in sorted(set(start), key=graph.gid)
    ]
    passed: list[dict[N, bool]] = [{} for _ in steps]
    targets: list[Target] = []
    by_id: dict[str, Target] = {}
    expanded = 0
    for depth in range(1, deepest + 1):
        if not frontier:
            break
        # (far node, step, hops) -> candidates: (order, partial it extends, direction)
        candidates: list[tuple[_Partial[N], int, int, N, str]] = []
        moves = move_table(plan, depth)
        for partial in frontier:
            for index, hops in moves.get((partial.step, partial.hops), ()):
                step = steps[index]
                here = partial.nodes[-1]
                for far, direction in graph.neighbors(here, step.relation.name, step.direction):
                    if far == here:
                        continue
                    expanded += 1
                    if edge_budget is not None and expanded > edge_budget:
                        raise LimitExceeded(OVER_BUDGET.format(budget=edge_budget))
                    if tick is not None and expanded % TICK_EVERY == 0:
                        tick()
                    if far not in partial.nodes:
                        candidates.append((partial, index, hops, far, direction))
        candidates = _filtered(steps, candidates, passed, graph)
        # at the last depth nothing goes on: the first ``cap`` per state are all it needs
        spare = wanted if depth < deepest else 0
        frontier = _keep(candidates, state_cap(plan, depth), spare, steps, graph)
        complete = [p for p in frontier if p.step == last and p.hops >= steps[last].min_hops]
        _merge(targets, by_id, complete, depth, wanted, plan.limit + 1)
        if len(targets) > plan.limit and all(
            len(target.paths) >= wanted for target in targets[: plan.limit]
        ):
            break
    return Found(targets[: plan.limit], len(targets) > plan.limit, expanded)


def _filtered(
    steps: Sequence[PlannedStep],
    candidates: list[tuple[_Partial[N], int, int, N, str]],
    passed: list[dict[N, bool]],
    graph: SearchGraph[N],
) -> list[tuple[_Partial[N], int, int, N, str]]:
    """The candidates whose far entity passes its step's filter (each entity checked
    once per step, in one batch per step and depth)."""
    unknown: dict[int, set[N]] = {}
    for _, index, _, far, _ in candidates:
        if steps[index].where is not None and far not in passed[index]:
            unknown.setdefault(index, set()).add(far)
    for index, nodes in unknown.items():
        passing = graph.passing(steps[index], nodes)
        passed[index].update((node, node in passing) for node in nodes)
    return [c for c in candidates if steps[c[1]].where is None or passed[c[1]][c[3]]]


def _keep(
    candidates: list[tuple[_Partial[N], int, int, N, str]],
    cap: int,
    wanted: int,
    steps: Sequence[PlannedStep],
    graph: SearchGraph[N],
) -> list[_Partial[N]]:
    """Per (start, far node, step, hops), the partial paths :func:`_select` keeps."""
    by_state: dict[tuple[N, N, int, int], list[tuple[_Partial[N], int, int, N, str]]] = {}
    for candidate in candidates:
        partial, index, hops, far, _ = candidate
        by_state.setdefault((partial.nodes[0], far, index, hops), []).append(candidate)
    kept: list[_Partial[N]] = []
    for (_, far, index, hops), group in by_state.items():
        far_id = graph.gid(far)
        relation = steps[index].relation.name
        grown: dict[tuple[tuple[str, ...], ...], _Partial[N]] = {}
        # order: ids, then directions, then relations; the far end is common to all
        group.sort(key=lambda c: (c[0].ids, c[0].directions, c[4], c[0].relations))
        for partial, _, _, _, direction in group:
            extended = _Partial(
                (*partial.nodes, far),
                (*partial.ids, far_id),
                (*partial.directions, direction),
                (*partial.relations, relation),
                index,
                hops,
            )
            grown.setdefault(extended.order(), extended)
        kept.extend(_select(list(grown.values()), cap, wanted))
    return kept


def _select(ordered: list[_Partial[N]], cap: int, wanted: int) -> list[_Partial[N]]:
    """The first ``cap`` of a state's partial paths (in order) and, for each entity
    inside one of those, the first ``wanted`` that avoid it: a way on that runs into one
    such entity still has ``wanted`` partial paths to extend (``wanted`` 0: the first
    ``cap`` alone).

    >>> def partial(*ids: str) -> _Partial[str]:
    ...     return _Partial(ids, ids, (), (), 0, 1)
    >>> paths = [partial("w", "a", "x", "c"), partial("w", "a", "y", "c"),
    ...          partial("w", "b", "x", "c"), partial("w", "b", "y", "c")]
    >>> [p.ids[1:3] for p in _select(paths, 1, 1)]
    [('a', 'x'), ('a', 'y'), ('b', 'x')]
    """
    first = ordered[:cap]
    if len(ordered) <= cap or not wanted:
        return first
    inside = {node for partial in first for node in partial.nodes[1:-1]}
    avoiding = dict.fromkeys(inside, 0)  # partial paths so far that avoid each entity
    kept: list[_Partial[N]] = []
    for position, partial in enumerate(ordered):
        free = [node for node in inside if node not in partial.nodes]
        if position < cap or any(avoiding[node] < wanted for node in free):
            kept.append(partial)
        for node in free:
            avoiding[node] += 1
    return kept


def _merge(
    targets: list[Target],
    by_id: dict[str, Target],
    complete: list[_Partial[N]],
    depth: int,
    wanted: int,
    most: int,
) -> None:
    """Add the complete paths of one depth (all longer than any before)."""
    fresh: dict[str, list[_Partial[N]]] = {}
    for partial in complete:
        fresh.setdefault(partial.ids[-1], []).append(partial)
    new: list[Target] = []
    for target_id, partials in fresh.items():
        paths = _distinct_paths(partials)
        known = by_id.get(target_id)
        if known is not None:
            known.paths.extend(paths[: wanted - len(known.paths)])
        else:
            new.append(Target(target_id, depth, paths[:wanted]))
    new.sort(key=lambda target: target.id)
    for target in new[: max(0, most - len(targets))]:
        targets.append(target)
        by_id[target.id] = target


def _distinct_paths(partials: list[_Partial[N]]) -> list[Path]:
    unique = {partial.order(): partial for partial in partials}
    return [unique[key].path() for key in sorted(unique)]
