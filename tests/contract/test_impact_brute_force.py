"""Impact rows equal a brute-force enumeration over small random logistics graphs.

The brute force tries every sequence of entities (not the adjacency a backend walks):
reach, simple paths, the roll-up's stopping rule, path counts, the paths kept, and
exposure over distinct entities. Each example writes its own entities (a fresh key
prefix) into one store, so examples never see each other.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_crm.impact.plan import (
    PATHS_PER_TARGET,
    ImpactPlan,
    ImpactRow,
    PlanStep,
    Rollup,
    StepProperty,
)
from graph_crm.model.registry import Registry
from graph_crm.model.traversal import Direction
from graph_crm.model.types import PropertyKind
from graph_crm.store.base import GraphStore
from tests.contract.logistics import AS_OF, ENTITY_TYPES, RELATION_TYPES, STATUSES, where
from tests.examples import examples

#: Exact in binary: the brute force may add them in any order.
VALUES = [None, 0.5, 1.25, 3.0, 100.0]
DATES = [None, date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 5)]
_examples = itertools.count()

Edge = tuple[str, str, str]  # relation, from id, to id


@dataclass(frozen=True)
class Case:
    warehouses: int
    shipments: list[tuple[str, float | None, date | None]]  # status, value, promisedBy
    customers: int
    routed: list[tuple[int, int]]  # shipment, warehouse
    shipped_for: list[tuple[int, int]]  # shipment, customer
    parent_of: list[tuple[int, int]]  # parent, child (cycles allowed)
    long_plan: bool  # the 4-step W <- S -> W <- S -> C chain, else W <- S -> C
    in_transit_only: bool
    rollup_hops: int  # 0: no roll-up


@st.composite
def cases(draw: st.DrawFn) -> Case:
    warehouses = draw(st.integers(1, 3))
    count = draw(st.integers(1, 6))
    customers = draw(st.integers(1, 5))
    shipment = st.tuples(st.sampled_from(STATUSES), st.sampled_from(VALUES), st.sampled_from(DATES))

    density = draw(st.sampled_from([0.3, 0.6, 0.9]))

    def some(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return [pair for pair in pairs if draw(st.floats(0, 1)) < density]

    return Case(
        warehouses,
        draw(st.lists(shipment, min_size=count, max_size=count)),
        customers,
        some(list(itertools.product(range(count), range(warehouses)))),
        some(list(itertools.product(range(count), range(customers)))),
        some(list(itertools.permutations(range(customers), 2))),
        draw(st.booleans()),
        draw(st.booleans()),
        draw(st.integers(0, 3)),
    )


async def _load(store: GraphStore, case: Case, prefix: str) -> dict[str, dict[str, Any]]:
    """Write the case; its entities' properties by global id."""
    if "Shipment" not in (await store.registry()).entity_types:
        for definition in ENTITY_TYPES:
            await store.define_entity_type(definition)
        for definition in RELATION_TYPES:
            await store.define_relation_type(definition)
    warehouses = [{"key": f"{prefix}W{i}"} for i in range(case.warehouses)]
    customers = [{"key": f"{prefix}C{i}"} for i in range(case.customers)]
    shipments = [
        {"key": f"{prefix}S{i}", "status": status, "value": value, "promisedBy": promised}
        for i, (status, value, promised) in enumerate(case.shipments)
    ]
    await store.upsert_entities("Warehouse", warehouses)
    await store.upsert_entities("Customer", customers)
    await store.upsert_entities("Shipment", shipments)
    links = {
        "ROUTED_VIA": [(f"S{s}", f"W{w}") for s, w in case.routed],
        "SHIPPED_FOR": [(f"S{s}", f"C{c}") for s, c in case.shipped_for],
        "PARENT_OF": [(f"C{p}", f"C{c}") for p, c in case.parent_of],
    }
    for relation, pairs in links.items():
        await store.link(relation, [{"from": prefix + f, "to": prefix + t} for f, t in pairs])
    return {
        **{f"Warehouse:{row['key']}": row for row in warehouses},
        **{f"Customer:{row['key']}": row for row in customers},
        **{f"Shipment:{row['key']}": row for row in shipments},
    }


def _plan(registry: Registry, case: Case) -> ImpactPlan:
    """The filter, if any, applies to the shipments just before the customers."""
    live = where(registry, "Shipment", {"status": {"eq": "IN_TRANSIT"}})
    last_filter = live if case.in_transit_only else None
    steps: tuple[PlanStep, ...] = ()
    if case.long_plan:
        steps = (
            PlanStep("ROUTED_VIA", Direction.IN, "Shipment"),
            PlanStep("ROUTED_VIA", Direction.OUT, "Warehouse"),
        )
    steps += (
        PlanStep("ROUTED_VIA", Direction.IN, "Shipment", last_filter),
        PlanStep("SHIPPED_FOR", Direction.OUT, "Customer"),
    )
    shipment_step = len(steps) - 1
    return ImpactPlan(
        policy="random",
        version=1,
        source_type="Warehouse",
        target_type="Customer",
        steps=steps,
        rollup=Rollup("PARENT_OF", Direction.IN, case.rollup_hops) if case.rollup_hops else None,
        sla=StepProperty(shipment_step, "promisedBy", PropertyKind.DATE),
        exposure=StepProperty(1, "value", PropertyKind.FLOAT),
        complaints=None,
    )


def _brute_force(
    plan: ImpactPlan, source: str, entities: dict[str, dict[str, Any]], edges: set[Edge]
) -> list[ImpactRow]:
    def linked(relation: str, direction: Direction, near: str, far: str) -> bool:
        pair = (near, far) if direction is Direction.OUT else (far, near)
        return (relation, *pair) in edges

    def passes(step: PlanStep, gid: str) -> bool:
        # the only filter these plans use: status = IN_TRANSIT
        return step.where is None or entities[gid].get("status") == "IN_TRANSIT"

    def of_type(name: str) -> list[str]:
        return [gid for gid in entities if gid.startswith(name + ":")]

    paths: list[tuple[str, ...]] = [(source,)]
    for step in plan.steps:
        paths = [
            (*path, far)
            for path in paths
            for far in of_type(step.landing_type)
            if far not in path
            and linked(step.relation, step.direction, path[-1], far)
            and passes(step, far)
        ]
    if plan.rollup is not None:
        customers = of_type("Customer")
        paths = [full for path in paths for full in _climbs(plan.rollup, path, customers, linked)]
    by_top: dict[str, set[tuple[str, ...]]] = {}
    for path in paths:
        by_top.setdefault(path[-1], set()).add(path)
    rows = []
    for top, found in sorted(by_top.items()):
        assert plan.exposure is not None
        assert isinstance(plan.sla, StepProperty)
        exposed = {path[plan.exposure.step] for path in found}
        deadlines = [
            (entities[path[plan.sla.step]]["promisedBy"], path[plan.sla.step])
            for path in found
            if entities[path[plan.sla.step]]["promisedBy"] is not None
        ]
        deadline, holder = min(deadlines) if deadlines else (None, None)
        rows.append(
            ImpactRow(
                target=top,
                paths=tuple(sorted(found, key=lambda p: (len(p), p))[:PATHS_PER_TARGET]),
                path_count=len(found),
                sla_deadline=None if deadline is None else datetime.combine(deadline, time(0), UTC),
                sla_entity=holder,
                complaints=0,
                exposure=float(sum(entities[g]["value"] or 0 for g in exposed)),
                exposure_entities=len(exposed),
            )
        )
    return rows


def _climbs(
    rollup: Rollup,
    path: tuple[str, ...],
    customers: list[str],
    linked: Callable[[str, Direction, str, str], bool],
) -> list[tuple[str, ...]]:
    """Every climb of 0..max_hops distinct, unvisited ancestors that stops where it must."""
    found = []
    for hops in range(rollup.max_hops + 1):
        for chain in itertools.permutations(customers, hops):
            full = (*path, *chain)
            if len(set(full)) != len(full):
                continue
            steps = itertools.pairwise(full[len(path) - 1 :])
            if not all(linked(rollup.relation, rollup.direction, a, b) for a, b in steps):
                continue
            higher = [
                c
                for c in customers
                if c not in full and linked(rollup.relation, rollup.direction, full[-1], c)
            ]
            if hops == rollup.max_hops or not higher:
                found.append(full)
    return found


async def _check(store: GraphStore, case: Case) -> None:
    prefix = f"X{next(_examples)}-"
    entities = await _load(store, case, prefix)
    types = {"S": "Shipment", "W": "Warehouse", "C": "Customer"}
    edges: set[Edge] = set()
    for relation, pairs, near, far in (
        ("ROUTED_VIA", case.routed, "S", "W"),
        ("SHIPPED_FOR", case.shipped_for, "S", "C"),
        ("PARENT_OF", case.parent_of, "C", "C"),
    ):
        edges.update(
            (relation, f"{types[near]}:{prefix}{near}{a}", f"{types[far]}:{prefix}{far}{b}")
            for a, b in pairs
        )
    plan = _plan(await store.registry(), case)
    source = f"Warehouse:{prefix}W0"
    rows = await store.impact_rows(plan, source, as_of=AS_OF)
    assert rows == _brute_force(plan, source, entities, edges)


HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=examples(80), deadline=None, suppress_health_check=HEALTH)
@given(case=cases())
async def test_embedded_matches_brute_force(embedded_store: GraphStore, case: Case) -> None:
    await _check(embedded_store, case)


@pytest.mark.neo4j
# each example defines a schema and loads a graph: fewer on Neo4j
@settings(max_examples=examples(20), deadline=None, suppress_health_check=HEALTH)
@given(case=cases())
async def test_neo4j_matches_brute_force(neo4j_store: GraphStore, case: Case) -> None:
    await _check(neo4j_store, case)
