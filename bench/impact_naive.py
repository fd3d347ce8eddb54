"""The naive way to evaluate an impact plan on Neo4j, for comparison: one query per hop.

Each step is a batched query from Python (``UNWIND`` the frontier's keys, one typed hop,
the step's filter), paths are grown and aggregated in Python, then one query per roll-up
hop and per signal. It returns the same rows as ``Neo4jStore.impact_rows`` (the benchmark
checks), with the number of round trips it took.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from neo4j import AsyncSession

from graph_crm.impact.plan import PATHS_PER_TARGET, ImpactPlan, ImpactRow, StepProperty
from graph_crm.impact.request import as_deadline, complaint_window, exposure_total
from graph_crm.model.query import Filter
from graph_crm.model.traversal import Direction
from graph_crm.store.neo4j.compile import Params, compile_filter
from graph_crm.store.neo4j.queries import label, prop, rel_type
from graph_crm.store.neo4j.store import Neo4jStore
from graph_crm.store.neo4j.values import native

Path = tuple[str, ...]


class NaiveImpact:
    def __init__(self, store: Neo4jStore) -> None:
        self._store = store
        self._session: AsyncSession | None = None
        self.round_trips = 0

    async def _query(self, text: str, **params: Any) -> list[list[Any]]:
        self.round_trips += 1
        assert self._session is not None, "queries run inside rows()"
        # Identifiers in ``text`` went through queries.label/rel_type/prop; values are
        # params. Raw values, as impact_rows reads them (Record.data() is slow).
        result = await self._session.run(text, params)
        return [record.values() async for record in result]

    async def hop(
        self,
        near_type: str,
        ids: set[str],
        relation: str,
        direction: Direction,
        far_type: str,
        where: Filter | None = None,
    ) -> dict[str, list[str]]:
        """For each near entity, the far entities one typed hop away that pass ``where``."""
        if not ids:
            return {}
        params = Params()
        condition = compile_filter(where, "b", params)
        relationship = f"[:{rel_type(relation)}]"
        arrow = f"-{relationship}->" if direction is Direction.OUT else f"<-{relationship}-"
        text = (
            f"UNWIND $keys AS k MATCH (a:{label(near_type)} {{key: k}}){arrow}"
            f"(b:{label(far_type)} WHERE {condition}) RETURN a.id AS near, b.id AS far"
        )
        keys = sorted(gid.split(":", 1)[1] for gid in ids)
        found: dict[str, list[str]] = defaultdict(list)
        for near, far in await self._query(text, keys=keys, **params.values):
            found[near].append(far)
        return found

    async def values(self, type_name: str, ids: set[str], name: str) -> dict[str, Any]:
        if not ids:
            return {}
        text = (
            f"UNWIND $keys AS k MATCH (n:{label(type_name)} {{key: k}}) "
            f"RETURN n.id AS id, n.{prop(name)} AS value"
        )
        keys = sorted(gid.split(":", 1)[1] for gid in ids)
        return {gid: native(value) for gid, value in await self._query(text, keys=keys)}

    async def rows(self, plan: ImpactPlan, source: str, as_of: datetime) -> list[ImpactRow]:
        """One session for the whole report: its round trips are the naive part."""
        store = self._store
        async with store.session.db.transactions.driver.session(
            database=store.session.db.transactions.database
        ) as session:
            self._session = session
            try:
                return await self._rows(plan, source, as_of)
            finally:
                self._session = None

    async def _rows(self, plan: ImpactPlan, source: str, as_of: datetime) -> list[ImpactRow]:
        paths: list[Path] = [(source,)]
        near_type = plan.source_type
        for step in plan.steps:
            ends = {path[-1] for path in paths}
            found = await self.hop(
                near_type, ends, step.relation, step.direction, step.landing_type, step.where
            )
            paths = [(*p, far) for p in paths for far in found.get(p[-1], []) if far not in p]
            near_type = step.landing_type
        if plan.rollup is not None:
            rollup, done, climbing = plan.rollup, list[Path](), paths
            for hop in range(rollup.max_hops + 1):
                ends = {path[-1] for path in climbing}
                parents = (
                    await self.hop(near_type, ends, rollup.relation, rollup.direction, near_type)
                    if hop < rollup.max_hops
                    else {}
                )
                grown: list[Path] = []
                for path in climbing:
                    higher = [p for p in parents.get(path[-1], []) if p not in path]
                    if not higher:
                        done.append(path)
                    grown.extend((*path, p) for p in higher)
                climbing = grown
            paths = done
        return await self._aggregate(plan, paths, as_of)

    async def _aggregate(
        self, plan: ImpactPlan, paths: list[Path], as_of: datetime
    ) -> list[ImpactRow]:
        by_top: dict[str, list[Path]] = defaultdict(list)
        for path in paths:
            by_top[path[-1]].append(path)
        types = [plan.source_type, *(s.landing_type for s in plan.steps)]
        exposure: dict[str, Any] = {}
        if plan.exposure is not None:
            step = plan.exposure.step
            held = {path[step] for path in paths}
            exposure = await self.values(types[step], held, plan.exposure.property)
        holders: dict[str, set[str]] = defaultdict(set)
        deadlines: dict[str, Any] = {}
        if isinstance(plan.sla, StepProperty):
            for path in paths:
                holders[path[-1]].add(path[plan.sla.step])
            held = {h for hs in holders.values() for h in hs}
            deadlines = await self.values(types[plan.sla.step], held, plan.sla.property)
        elif plan.sla is not None:
            sla = plan.sla
            linked = await self.hop(
                plan.target_type, set(by_top), sla.relation, sla.direction, sla.far_type, sla.where
            )
            holders.update((top, set(found)) for top, found in linked.items())
            held = {h for hs in holders.values() for h in hs}
            deadlines = await self.values(sla.far_type, held, sla.property)
        complaints: dict[str, int] = {}
        if plan.complaints is not None:
            spec = plan.complaints
            filed = await self.hop(
                plan.target_type,
                set(by_top),
                spec.relation,
                spec.direction,
                spec.far_type,
                spec.where,
            )
            dates = await self.values(
                spec.far_type, {f for fs in filed.values() for f in fs}, spec.date_property
            )
            start, end = complaint_window(spec, as_of)
            for top, found in filed.items():
                complaints[top] = sum(
                    1 for f in set(found) if dates.get(f) is not None and start <= dates[f] <= end
                )
        rows = []
        for top, top_paths in sorted(by_top.items()):
            exposed = sorted({p[plan.exposure.step] for p in top_paths} if plan.exposure else ())
            earliest = min(
                (
                    (as_deadline(deadlines[h]), h)
                    for h in holders.get(top, ())
                    if deadlines.get(h) is not None
                ),
                default=(None, None),
            )
            rows.append(
                ImpactRow(
                    target=top,
                    paths=tuple(sorted(top_paths, key=lambda p: (len(p), p))[:PATHS_PER_TARGET]),
                    path_count=len(top_paths),
                    sla_deadline=earliest[0],
                    sla_entity=earliest[1],
                    complaints=complaints.get(top, 0),
                    exposure=exposure_total(exposure.get(gid) for gid in exposed),
                    exposure_entities=len(exposed),
                )
            )
        return rows
