"""Impact rows: reach, roll-up and signals per target, the same on every backend."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from graph_crm.errors import InvalidInput, NotFound
from graph_crm.impact.plan import ImpactPlan, ImpactRow, PlanStep, Rollup, StepProperty
from graph_crm.model.registry import Registry
from graph_crm.model.traversal import Direction
from graph_crm.model.types import PropertyKind
from tests.contract.logistics import AS_OF, load_logistics, shipment_plan, where
from tests.store_fixtures import Loaded

W1 = "Warehouse:W1"


def _row(target: str, *paths: tuple[str, ...], **signals: object) -> ImpactRow:
    values: dict[str, object] = {
        "path_count": len(paths),
        "sla_deadline": None,
        "sla_entity": None,
        "complaints": 0,
        "exposure": 0.0,
        "exposure_entities": 0,
        **signals,
    }
    return ImpactRow(target=target, paths=paths, **values)  # type: ignore[arg-type]


def _ids(*names: str) -> tuple[str, ...]:
    prefixes = {"W": "Warehouse", "S": "Shipment", "K": "Contract", "F": "Complaint"}
    return tuple(f"{prefixes.get(name[0], 'Customer')}:{name}" for name in names)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def test_shipments_to_customers(loaded: Loaded) -> None:
    store = await loaded(load_logistics)
    registry = await store.registry()
    counts, version = await store.counts(), registry.version
    rows = await store.impact_rows(shipment_plan(registry, status=["IN_TRANSIT"]), W1, as_of=AS_OF)
    assert rows == [
        # two shipments, one customer; a DATE deadline counts from midnight UTC; of the
        # complaints around the window only those on its two edges count
        _row(
            "Customer:CA",
            _ids("W1", "S1", "CA"),
            _ids("W1", "S2", "CA"),
            sla_deadline=_at("2026-03-02T00:00"),
            sla_entity="Shipment:S2",
            complaints=2,
            exposure=150.5,
            exposure_entities=2,
        ),
        # S3 is DELIVERED: filtered out; S4 has no deadline
        _row("Customer:CB", _ids("W1", "S4", "CB"), exposure=10.0, exposure_entities=1),
        _row("Customer:CX1", _ids("W1", "S5", "CX1"), exposure=7.0, exposure_entities=1),
        _row("Customer:CX2", _ids("W1", "S5", "CX2"), exposure=7.0, exposure_entities=1),
    ]
    unfiltered = await store.impact_rows(shipment_plan(registry), W1, as_of=AS_OF)
    assert unfiltered[1] == _row(
        "Customer:CB",
        _ids("W1", "S3", "CB"),
        _ids("W1", "S4", "CB"),
        exposure=1009.0,
        exposure_entities=2,
    )
    wider = await store.impact_rows(shipment_plan(registry, window_days=8), W1, as_of=AS_OF)
    assert wider[0].complaints == 3
    later = await store.impact_rows(
        shipment_plan(registry), W1, as_of=datetime(2026, 3, 10, 20, 0, 0, 1, tzinfo=UTC)
    )
    assert later[0].complaints == 2  # F1 has left the window, F4 has entered it
    plan = shipment_plan(registry)
    assert plan.complaints is not None
    early = where(registry, "Complaint", {"filedAt": {"lt": "2026-03-10T00:00:00Z"}})
    filtered = replace(plan, complaints=replace(plan.complaints, where=early))
    assert (await store.impact_rows(filtered, W1, as_of=AS_OF))[0].complaints == 1  # F1 only
    # a what-if reads only: nothing was written
    assert (await store.counts(), (await store.registry()).version) == (counts, version)


async def test_rollup_to_parents(loaded: Loaded) -> None:
    store = await loaded(load_logistics)
    registry = await store.registry()
    two_levels = shipment_plan(
        registry,
        status=["IN_TRANSIT"],
        rollup=Rollup("PARENT_OF", Direction.IN, 2),
        linked_sla=True,
    )
    rows = await store.impact_rows(two_levels, W1, as_of=AS_OF)
    assert rows == [
        # no parent: its own top; the expired contract KA0 fails the SLA filter
        _row(
            "Customer:CA",
            _ids("W1", "S1", "CA"),
            _ids("W1", "S2", "CA"),
            sla_deadline=_at("2026-03-15T08:00"),
            sla_entity="Contract:KA2",
            complaints=2,
            exposure=150.5,
            exposure_entities=2,
        ),
        # two subsidiaries, two levels up; one shipment reaches the group twice and counts
        # once; two contracts tie for the earliest deadline: the smaller id holds it
        _row(
            "Customer:G",
            _ids("W1", "S5", "CX1", "PX", "G"),
            _ids("W1", "S5", "CX2", "PX", "G"),
            sla_deadline=_at("2026-03-12T00:00"),
            sla_entity="Contract:KG1",
            complaints=1,
            exposure=7.0,
            exposure_entities=1,
        ),
        # one level up, then no further parent
        _row(
            "Customer:PB",
            _ids("W1", "S4", "CB", "PB"),
            sla_deadline=_at("2026-04-01T00:00"),
            sla_entity="Contract:KPB",
            exposure=10.0,
            exposure_entities=1,
        ),
    ]
    one_level = replace(two_levels, rollup=Rollup("PARENT_OF", Direction.IN, 1))
    rows = await store.impact_rows(one_level, W1, as_of=AS_OF)
    assert [row.target for row in rows] == ["Customer:CA", "Customer:PB", "Customer:PX"]
    no_climb = replace(two_levels, rollup=Rollup("PARENT_OF", Direction.IN, 0))
    rows_no_climb = await store.impact_rows(no_climb, W1, as_of=AS_OF)
    assert [row.target for row in rows_no_climb] == [
        "Customer:CA",
        "Customer:CB",
        "Customer:CX1",
        "Customer:CX2",
    ]
    assert rows[2] == _row(
        "Customer:PX",
        _ids("W1", "S5", "CX1", "PX"),
        _ids("W1", "S5", "CX2", "PX"),
        exposure=7.0,
        exposure_entities=1,
    )


def _five_steps(registry: Registry, parent_contracts: str) -> ImpactPlan:
    """Shipments sharing a second warehouse with W1's, their customers' parents."""
    live = where(registry, "Shipment", {"status": {"in": ["BOOKED", "IN_TRANSIT"]}})
    with_contract = where(registry, "Customer", {"HAS_CONTRACT": {parent_contracts: {}}})
    return ImpactPlan(
        policy="congestion",
        version=3,
        source_type="Warehouse",
        target_type="Customer",
        steps=(
            PlanStep("ROUTED_VIA", Direction.IN, "Shipment"),
            PlanStep("ROUTED_VIA", Direction.OUT, "Warehouse"),
            PlanStep("ROUTED_VIA", Direction.IN, "Shipment", live),
            PlanStep("SHIPPED_FOR", Direction.OUT, "Customer"),
            PlanStep("PARENT_OF", Direction.IN, "Customer", with_contract),
        ),
        rollup=Rollup("PARENT_OF", Direction.IN, 2),
        sla=StepProperty(3, "promisedBy", PropertyKind.DATE),
        exposure=StepProperty(1, "value", PropertyKind.FLOAT),
        complaints=None,
    )


async def test_five_step_plan(loaded: Loaded) -> None:
    store = await loaded(load_logistics)
    registry = await store.registry()
    rows = await store.impact_rows(_five_steps(registry, "some"), W1, as_of=AS_OF)
    # S4 is the only W1 shipment through a second warehouse; paths never go back to W1 or
    # S4; S8 is DELIVERED; PB, the parent, has a contract and no parent of its own
    assert rows == [
        _row(
            "Customer:PB",
            _ids("W1", "S4", "W2", "S6", "CE", "PB"),
            _ids("W1", "S4", "W2", "S7", "CB", "PB"),
            sla_deadline=_at("2026-03-01T00:00"),
            sla_entity="Shipment:S7",
            exposure=10.0,
            exposure_entities=1,
        )
    ]
    assert await store.impact_rows(_five_steps(registry, "none"), W1, as_of=AS_OF) == []


async def test_bad_requests_and_no_paths(loaded: Loaded) -> None:
    store = await loaded(load_logistics)
    registry = await store.registry()
    plan = shipment_plan(registry)
    assert await store.impact_rows(plan, "Warehouse:W3", as_of=AS_OF) == []
    with pytest.raises(NotFound, match="Warehouse:NOPE"):
        await store.impact_rows(plan, "Warehouse:NOPE", as_of=AS_OF)
    with pytest.raises(InvalidInput, match="is a Customer, but policy 'customs-delay' starts"):
        await store.impact_rows(plan, "Customer:CA", as_of=AS_OF)
    with pytest.raises(InvalidInput, match="not a global id"):
        await store.impact_rows(plan, "W1", as_of=AS_OF)
    with pytest.raises(InvalidInput, match="time zone"):
        await store.impact_rows(plan, W1, as_of=datetime(2026, 3, 10))
    stale = replace(plan, steps=(plan.steps[0], PlanStep("SHIPPED_FOR", Direction.IN, "Customer")))
    with pytest.raises(InvalidInput, match="cannot be followed IN from a Shipment"):
        await store.impact_rows(stale, W1, as_of=AS_OF)
