"""An impact plan's walk over the embedded store's networkx mirror (structure only).

The walk follows only the plan's relation types, one typed hop per step, and checks a
step's filter once per distinct landing entity (properties come from the store's bulk
loader), so its cost follows the edges it touches. Paths are tuples of entity row ids
and never visit an entity twice. ``tick`` is called every :data:`TICK_EVERY` paths (the
store passes its call's deadline check, which raises once the time budget is spent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import networkx as nx

from graph_crm.errors import LimitExceeded
from graph_crm.impact.plan import ImpactPlan, Rollup
from graph_crm.model.formula import Formula
from graph_crm.model.query import Filter
from graph_crm.model.traversal import Direction

#: Partial paths a walk may hold at once before it is refused as too broad.
MAX_PATHS: Final = 2_000_000
#: Paths (or roll-up climbs) between two calls of ``tick`` (a power of two, minus one).
TICK_MASK: Final = 255
TICK_EVERY: Final = TICK_MASK + 1

RowPath = tuple[int, ...]
#: The entity rows among the given ones that pass a filter.
Matching = Callable[[Filter, set[int]], set[int]]
#: The entity rows among the given ones for which a BOOLEAN formula holds.
Holding = Callable[[Formula, set[int]], set[int]]
Adjacency = Mapping[int, Mapping[int, Mapping[str, Any]]]


class ImpactWalk:
    def __init__(
        self,
        graph: nx.MultiDiGraph[int],
        matching: Matching,
        tick: Callable[[], None] = lambda: None,
        holding: Holding | None = None,
    ) -> None:
        # networkx's adjacency views cost ~10x the raw dicts per neighbour; the walk only
        # reads them, on the store's one worker thread.
        self._succ: Adjacency = graph._succ  # type: ignore[attr-defined]
        self._pred: Adjacency = graph._pred  # type: ignore[attr-defined]
        self._matching = matching
        self._holding = holding
        self._tick = tick
        #: Relation hops followed, for the benchmark's "edges touched".
        self.edges_touched = 0

    def linked(self, node: int, relation: str, direction: Direction) -> list[int]:
        """The entities one ``relation`` hop away from ``node`` (in ``direction``)."""
        adjacency = self._succ if direction is Direction.OUT else self._pred
        found = [far for far, keys in adjacency[node].items() if relation in keys]
        self.edges_touched += len(found)
        return found

    def passing(self, where: Filter | None, condition: Formula | None, rows: set[int]) -> set[int]:
        """The rows that pass the filter ``where`` and for which ``condition`` holds."""
        if where is not None and rows:
            rows = self._matching(where, rows)
        if condition is not None and rows:
            if self._holding is None:
                raise TypeError("this walk was given no evaluator for conditions")
            rows = self._holding(condition, rows)
        return rows

    def linked_passing(
        self,
        nodes: Iterable[int],
        relation: str,
        direction: Direction,
        where: Filter | None,
        condition: Formula | None = None,
    ) -> dict[int, list[int]]:
        """For each node, its linked entities that pass ``where`` and ``condition``."""
        ends = {}
        for count, node in enumerate(nodes):
            if count & TICK_MASK == 0:
                self._tick()
            ends[node] = self.linked(node, relation, direction)
        if where is not None or condition is not None:
            every = {far for found in ends.values() for far in found}
            passing = self.passing(where, condition, every)
            ends = {node: [far for far in found if far in passing] for node, found in ends.items()}
        return ends

    def reach(self, plan: ImpactPlan, source: int) -> list[RowPath]:
        """Every simple path from ``source`` through the plan's steps."""
        paths: list[RowPath] = [(source,)]
        for step in plan.steps:
            relation = step.relation
            adjacency = self._succ if step.direction is Direction.OUT else self._pred
            # each distinct near entity's typed neighbours, listed once per step
            landings: dict[int, list[int]] = {}
            grown: list[RowPath] = []
            tick = self._tick
            for count, path in enumerate(paths):
                if count & TICK_MASK == 0:
                    tick()
                near = path[-1]
                found = landings.get(near)
                if found is None:
                    found = [far for far, keys in adjacency[near].items() if relation in keys]
                    landings[near] = found
                    self.edges_touched += len(found)
                for far in found:
                    if far not in path:
                        grown.append(path + (far,))
                if len(grown) > MAX_PATHS:
                    raise LimitExceeded("this plan reaches too many paths; add filters to it")
            if (step.where is not None or step.condition is not None) and grown:
                passing = self.passing(step.where, step.condition, {path[-1] for path in grown})
                grown = [path for path in grown if path[-1] in passing]
            paths = grown
            if not paths:
                break
        return paths

    def climb(self, rollup: Rollup, paths: list[RowPath]) -> list[RowPath]:
        """Each path extended by every climb to a top (the path itself if it has no parent).

        A climb stops after ``max_hops`` hops, or where no parent is left that the path
        has not visited yet.
        """
        parents: dict[int, list[int]] = {}
        climbed: list[RowPath] = []

        climbs = 0

        def up(path: RowPath, hops: int) -> None:
            nonlocal climbs
            climbs += 1
            if climbs & TICK_MASK == 0:
                self._tick()
            node = path[-1]
            if node not in parents:
                parents[node] = self.linked(node, rollup.relation, rollup.direction)
            higher = [parent for parent in parents[node] if parent not in path]
            if hops == rollup.max_hops or not higher:
                climbed.append(path)
                return
            for parent in higher:
                up((*path, parent), hops + 1)

        for path in paths:
            up(path, 0)
            if len(climbed) > MAX_PATHS:
                raise LimitExceeded("this plan reaches too many paths; add filters to it")
        return climbed
