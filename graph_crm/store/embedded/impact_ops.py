"""Impact rows on the embedded store: a walk over the mirror, properties read in bulk.

The mirror gives the structure (:mod:`.impact_walk`); SQLite gives only the fields the
plan reads, for the entities the walk touched, a few statements per report.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph_crm.errors import NotFound
from graph_crm.impact.plan import (
    PATHS_PER_TARGET,
    ImpactPlan,
    ImpactRow,
    LinkedProperty,
    StepProperty,
)
from graph_crm.impact.request import (
    ImpactRequest,
    as_deadline,
    check_request,
    exposure_total,
    plan_fields,
)
from graph_crm.model.formula import Formula, Parameters, evaluate_formula
from graph_crm.store.budget import current_deadline
from graph_crm.store.embedded.database import EmbeddedDatabase
from graph_crm.store.embedded.impact_fields import PlanFields
from graph_crm.store.embedded.impact_walk import ImpactWalk, RowPath

Values = Mapping[int, Mapping[str, Any]]


@dataclass
class _Top:
    """What the paths reaching one top have collected."""

    paths: list[RowPath] = field(default_factory=list)
    exposed: set[int] = field(default_factory=set)
    sla_holders: set[int] = field(default_factory=set)


def holding(
    formula: Formula, rows: set[int], fields: PlanFields, parameters: Parameters
) -> set[int]:
    """The rows for which ``formula`` (a BOOLEAN) is true, by the reference evaluator."""
    values = fields(rows)
    return {row for row in rows if evaluate_formula(formula, values[row], parameters) is True}


class ImpactOps:
    def __init__(self, db: EmbeddedDatabase) -> None:
        self.db = db

    async def impact_rows(
        self, plan: ImpactPlan, source: str, *, as_of: datetime, delay_days: float = 0.0
    ) -> list[ImpactRow]:
        def run() -> list[ImpactRow]:
            mirror = self.db.ensure_mirror()
            request = check_request(self.db.registry, plan, source, as_of, delay_days)
            bound = request.plan
            found = self.db.conn.execute(
                "SELECT id FROM entities WHERE type = ? AND key = ?",
                (request.source_type, request.source_key),
            ).fetchone()
            if found is None:
                raise NotFound(f"there is no entity {source[:120]}", path=("source",))
            # the mirror's node attributes (global ids), without networkx's view per lookup
            nodes: Mapping[int, Mapping[str, str]] = mirror.graph._node  # type: ignore[attr-defined]
            fields = PlanFields(
                self.db.conn,
                self.db.registry,
                plan_fields(bound),
                lambda row: nodes[row]["id"].partition(":")[0],
            )
            walk = ImpactWalk(
                mirror.graph,
                lambda flt, rows: mirror.matching(flt, rows, fields),
                tick=current_deadline().check,
                holding=lambda formula, rows: holding(formula, rows, fields, request.parameters),
            )
            paths = walk.reach(bound, found[0])
            if bound.rollup is not None:
                paths = walk.climb(bound.rollup, paths)
            return _Rows(bound, request, nodes, walk, fields).build(paths)

        return await self.db.read(run)


class _Rows:
    """Per-top signals from the walk's paths: the same aggregation the Cypher does."""

    def __init__(
        self,
        plan: ImpactPlan,
        request: ImpactRequest,
        nodes: Mapping[int, Mapping[str, str]],
        walk: ImpactWalk,
        fields: PlanFields,
    ) -> None:
        self.plan, self.request, self.walk, self.fields = plan, request, walk, fields
        self.nodes = nodes
        #: Global ids of the entities on the paths, filled in one pass.
        self.gids: dict[int, str] = {}

    def build(self, paths: list[RowPath]) -> list[ImpactRow]:
        plan = self.plan
        tops: dict[int, _Top] = {}
        exposure_step = plan.exposure.step if plan.exposure is not None else None
        sla_step = plan.sla.step if isinstance(plan.sla, StepProperty) else None
        for path in paths:
            top = tops.get(path[-1])
            if top is None:
                top = tops[path[-1]] = _Top()
            top.paths.append(path)
            if exposure_step is not None:
                top.exposed.add(path[exposure_step])
            if sla_step is not None:
                top.sla_holders.add(path[sla_step])
        nodes = self.nodes
        self.gids = {row: nodes[row]["id"] for path in paths for row in path}
        sla, complaints = plan.sla, plan.complaints
        if isinstance(sla, LinkedProperty):
            linked = self.walk.linked_passing(
                tops, sla.relation, sla.direction, sla.where, sla.condition
            )
            for row, holders in linked.items():
                tops[row].sla_holders.update(holders)
        filed: dict[int, list[int]] = {}
        recent: set[int] = set()
        if complaints is not None and self.request.window is not None:
            filed = self.walk.linked_passing(
                tops,
                complaints.relation,
                complaints.direction,
                complaints.where,
                complaints.condition,
            )
            every = {far for found in filed.values() for far in found}
            recent = self.fields.within(every, complaints.date_property, *self.request.window)
        # one bulk read for every entity whose fields a signal needs
        values = self.fields(
            {row for top in tops.values() for row in top.exposed | top.sla_holders}
        )
        rows = []
        for row, top in tops.items():
            deadline, holder = self._earliest(top.sla_holders, values)
            exposure, exposed = self._exposure(top.exposed, values)
            rows.append(
                ImpactRow(
                    target=self.gids[row],
                    paths=tuple(self._best_paths(top.paths)),
                    path_count=len(top.paths),
                    sla_deadline=deadline,
                    sla_entity=holder,
                    complaints=len(recent.intersection(filed.get(row, ()))),
                    exposure=exposure,
                    exposure_entities=exposed,
                )
            )
        return sorted(rows, key=lambda r: r.target)

    def _best_paths(self, paths: list[RowPath]) -> list[tuple[str, ...]]:
        name = self.gids.__getitem__
        if len(paths) == 1:
            return [tuple(map(name, paths[0]))]
        if len(paths) > PATHS_PER_TARGET:
            # only paths as short as the k-th shortest can be among the k kept
            cutoff = sorted(map(len, paths))[PATHS_PER_TARGET - 1]
            paths = [path for path in paths if len(path) <= cutoff]
        named = [tuple(map(name, path)) for path in paths]
        if len(named) > 4 * PATHS_PER_TARGET:
            return heapq.nsmallest(PATHS_PER_TARGET, named, key=lambda ids: (len(ids), ids))
        return sorted(named, key=lambda ids: (len(ids), ids))[:PATHS_PER_TARGET]

    def _exposure(self, exposed: set[int], values: Values) -> tuple[float, int]:
        if self.plan.exposure is None:
            return 0.0, 0
        name = self.plan.exposure.property
        return exposure_total(values[row].get(name) for row in exposed), len(exposed)

    def _earliest(self, holders: set[int], values: Values) -> tuple[datetime | None, str | None]:
        if self.plan.sla is None:
            return None, None
        name, nodes = self.plan.sla.property, self.nodes
        # one property, so one kind: dates or datetimes compare among themselves
        found = [(values[row][name], nodes[row]["id"]) for row in holders if name in values[row]]
        if not found:
            return None, None
        deadline, holder = min(found)
        return as_deadline(deadline), holder
