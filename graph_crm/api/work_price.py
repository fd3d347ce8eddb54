"""What the relations a traversal or a relation filter expands cost, priced from the
store's degree statistics (pure: the statistics and the registry are handed in).

A traversal is the bounded search of :mod:`graph_crm.model.traversal_search`: at each
depth, every partial path kept is extended by the relations of its step. So a depth
costs the kept frontier times the step's fan-out: the largest degree for the first hop
(the starts may be the hubs), the average degree after it. The frontier after a depth
is what it expanded, but never more than the entities it can stand on times the partial
paths kept per entity (twice the state cap, for the spare ones kept to avoid an entity);
the whole never more than the caller's edge budget, over which the search stops.

A relation filter (``{REL: {some|none: ...}}``) on the entities a list reads costs, at
the top, each candidate's relations of that type (all of them at most); nested deeper,
both stores evaluate a quantifier as a set computed once per statement, which costs
that relation type's relations.

>>> from graph_crm.model.degree_stats import DegreeStats, RelationDegrees
>>> from graph_crm.model.types import EntityType, RelationType
>>> registry = Registry.from_definitions(1,
...     [EntityType(name="Warehouse"), EntityType(name="Shipment")],
...     [RelationType(name="SHIPPED_VIA", from_type="Shipment", to_type="Warehouse")])
>>> stats = DegreeStats({"Warehouse": 4, "Shipment": 1000}, {"SHIPPED_VIA": RelationDegrees(
...     edges=1000, from_ends=1000, to_ends=4, max_out=1, max_in=400)})
>>> prices = WorkPrices(stats, registry)
>>> back = {"relation": "SHIPPED_VIA", "direction": "IN"}
>>> prices.traverse(["Warehouse:W1"], [back])
400
>>> prices.traverse(["Warehouse:W1"], [back, {"relation": "SHIPPED_VIA"}, back])
8800

That is 400 shipments, their 400 warehouse relations, then from the 4 warehouses (each
holding at most 2 x 4 partial paths) 250 shipments on average each: 400 + 400 + 8,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graph_crm.errors import GraphCrmError
from graph_crm.model.degree_stats import DegreeStats
from graph_crm.model.query import All, AnyOf, Compare, Filter, Not, Related, check_filter
from graph_crm.model.registry import Registry
from graph_crm.model.traversal import Direction, PlannedStep, TraversalPlan, plan_traversal
from graph_crm.model.traversal_moves import reach_depth, state_cap


@dataclass(frozen=True, slots=True)
class WorkPrices:
    stats: DegreeStats
    registry: Registry
    #: Relations one store call may expand (None: unbounded).
    edge_budget: int | None = None
    #: The hops a traversal that names no maxDepth may take (the caller's role's).
    max_depth: int | None = None

    def traverse(
        self,
        start: Sequence[str],
        steps: Sequence[Any],
        *,
        max_depth: int | None = None,
        limit: int = 1_000,
        paths_per_target: int = 3,
    ) -> int:
        """Relations a ``traverse`` may expand (0 if it would be refused as invalid)."""
        start_types = {gid.split(":", 1)[0] for gid in start if isinstance(gid, str)}
        try:
            plan = plan_traversal(
                self.registry,
                start_types,
                steps,
                max_depth=max_depth,
                limit=limit,
                paths_per_target=paths_per_target,
            )
        except (GraphCrmError, TypeError, ValueError):
            return 0  # refused when it runs, before it expands anything
        return self._bounded(self._search(plan, max(1, len(set(start)))))

    def _search(self, plan: TraversalPlan, starts: int) -> int:
        total = 0
        frontier = float(starts)
        for depth in range(1, reach_depth(plan) + 1):
            active = _active_steps(plan, depth)
            fan_outs = [self.stats.fan_out(s.relation.name, s.direction) for s in active]
            degree = max(f.most if depth == 1 else f.average for f in fan_outs)
            expanded = frontier * degree
            total += int(expanded) + sum(self._step_filter(s, int(expanded)) for s in active)
            standing = sum(self.stats.count(t) for s in active for t in s.lands_on)
            frontier = min(expanded, starts * standing * 2 * state_cap(plan, depth))
        return total

    def _step_filter(self, step: PlannedStep, candidates: int) -> int:
        return 0 if step.where is None else self._filter(step.where, candidates, top=True)

    def neighbors(self, relation: Any, direction: Any) -> int:
        """Relations one ``neighbors`` page may read (``Entity.neighbors``): every relation
        of the type at the near end of the entity that has the most, as each near entity's
        are ordered before its page is cut. 0 if it would be refused as invalid.

        >>> from graph_crm.model.degree_stats import RelationDegrees
        >>> stats = DegreeStats({}, {"SHIPPED_VIA": RelationDegrees(1000, 1000, 4, 1, 400)})
        >>> prices = WorkPrices(stats, Registry(), edge_budget=300)
        >>> prices.neighbors("SHIPPED_VIA", "OUT"), prices.neighbors("SHIPPED_VIA", "IN")
        (1, 300)
        >>> prices.neighbors("SHIPPED_VIA", "BOTH"), prices.neighbors("NOPE", "IN")
        (0, 0)
        """
        way = getattr(direction, "value", direction)
        if not isinstance(relation, str) or way not in (Direction.OUT, Direction.IN):
            return 0
        return self._bounded(self.stats.fan_out(relation, Direction(way)).most)

    def where(self, entity_type: str, raw: Any, candidates: int | None = None) -> int:
        """Relations a list's ``where`` (model filter data) on ``entity_type`` may expand,
        over ``candidates`` entities (default: all of the type). 0 if it is invalid."""
        definition = self.registry.entity_types.get(entity_type)
        if definition is None or raw is None:
            return 0
        try:
            flt = check_filter(definition, raw, registry=self.registry)
        except GraphCrmError:
            return 0
        if flt is None:
            return 0
        count = self.stats.count(entity_type) if candidates is None else candidates
        return self._bounded(self._filter(flt, count, top=True))

    def _filter(self, flt: Filter, candidates: int, *, top: bool) -> int:
        if isinstance(flt, Compare):
            return 0
        if isinstance(flt, Not):
            return self._filter(flt.filter, candidates, top=top)
        if isinstance(flt, All | AnyOf):
            return sum(self._filter(part, candidates, top=top) for part in flt.filters)
        assert isinstance(flt, Related)
        edges = self.stats.edges(flt.relation)
        if top:
            average = self.stats.fan_out(flt.relation, flt.direction).average
            own = min(edges, int(candidates * average + 0.5))
        else:
            own = edges  # a set of near ends, computed once per statement
        inner = 0 if flt.filter is None else self._filter(flt.filter, edges, top=False)
        return own + inner

    def _bounded(self, work: int) -> int:
        return work if self.edge_budget is None else min(work, self.edge_budget)


def _active_steps(plan: TraversalPlan, depth: int) -> list[PlannedStep]:
    """The steps a partial path's hop at ``depth`` may belong to."""
    active = []
    fewest = most = 0
    for step in plan.steps:
        if fewest < depth <= most + step.max_hops:
            active.append(step)
        fewest += step.min_hops
        most += step.max_hops
    return active
