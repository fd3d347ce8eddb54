"""Impact policies stored like types, and the report they give: exact, on every backend.

The graph is tests/contract/logistics.py's. As of 2026-03-10 12:00 with a 3-day delay at
W1, the in-transit shipments reach CA (S1, S2), CB (S4 -> parent PB) and CX1/CX2 (S5,
both -> PX -> G): three tops, one per tier.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import pytest

from graph_crm.errors import GraphCrmError
from graph_crm.impact.report import ImpactReport
from graph_crm.services.impact_report import impact_report
from graph_crm.store.base import GraphStore
from tests.contract.logistics import AS_OF, customs_policy, load_logistics

W1 = "Warehouse:W1"


def _ids(*names: str) -> tuple[str, ...]:
    kinds = {"W": "Warehouse", "S": "Shipment"}
    return tuple(f"{kinds.get(name[0], 'Customer')}:{name}" for name in names)


def _u(buffer_days: float, delay: float = 3.0, tau: float = 7.0) -> float:
    return 1.0 if delay >= buffer_days else math.exp((delay - buffer_days) / tau)


def _v(value: float) -> float:
    return min(1.0, math.log1p(value) / math.log1p(1000))


async def _report(store: GraphStore, **options: Any) -> ImpactReport:
    arguments: dict[str, Any] = {
        "policy": "customs-delay",
        "source": W1,
        "delay_days": 3,
        "as_of": AS_OF,
    }
    arguments.update(options)
    return await impact_report(store, **arguments)


async def test_exact_report(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    report = await impact_report(
        store, policy="customs-delay", source=W1, delay_days=3, as_of="2026-03-10T12:00:00Z"
    )
    assert [(t.rank, t.target, t.tier) for t in report.targets] == [
        (1, "Customer:G", "T1"),  # KG1/KG2 due 03-12 00:00: buffer 1.5d <= delay 3d
        (2, "Customer:CA", "T2"),  # KA2 due 03-15 08:00 (KA0 is filtered out): 4d20h
        (3, "Customer:PB", "T3"),  # KPB due 04-01: 21.5d
    ]
    g, ca, pb = report.targets
    assert g.label == "G Ltd"
    assert report.source_label == "W1"
    assert g.sla_buffer_days == 1.5
    assert g.breach_predicted
    assert g.sla_entity == "Contract:KG1"
    assert g.sla_deadline == datetime(2026, 3, 12, tzinfo=UTC)
    assert ca.sla_buffer_days == pytest.approx(4 + 20 / 24, abs=1e-6)
    assert pb.sla_buffer_days == 21.5
    assert not pb.breach_predicted
    # exposure over distinct shipments: S5 reaches G twice (via CX1 and CX2), counted once
    assert (g.exposure, g.exposure_entities, g.path_count) == (7.0, 1, 2)
    assert (ca.exposure, ca.exposure_entities, ca.path_count) == (150.5, 2, 2)
    assert (pb.exposure, pb.exposure_entities) == (10.0, 1)
    # complaints within [03-03 12:00, 03-10 12:00], both ends inclusive
    assert (g.complaints, ca.complaints, pb.complaints) == (1, 2, 0)
    expected = {
        "Customer:G": (_u(1.5), _v(7.0), 1 / 4),
        "Customer:CA": (_u(4 + 20 / 24), _v(150.5), 2 / 4),
        "Customer:PB": (_u(21.5), _v(10.0), 0.0),
    }
    for target in report.targets:
        values = expected[target.target]
        assert [c.name for c in target.components] == ["urgency", "exposure", "complaints"]
        for component, value, weight in zip(
            target.components, values, (0.5, 0.3, 0.2), strict=True
        ):
            assert component.value == pytest.approx(value, abs=1e-6)
            assert component.contribution == pytest.approx(value * weight, abs=1e-6)
        assert target.score == pytest.approx(
            sum(v * w for v, w in zip(values, (0.5, 0.3, 0.2), strict=True)), abs=1e-5
        )
    assert g.tier_rule == (
        "Breach predicted: the delay meets or exceeds the SLA buffer "
        "(delay 3 days, SLA buffer 1.5 days)"
    )
    assert ca.tier_rule == (
        "Breach within 3 days: the delay comes within 3 days of the SLA buffer or exceeds it "
        "(delay 3 days, SLA buffer 4.8 days)"
    )
    assert pb.tier_rule == "No breach predicted: in every other case"
    assert g.tier_formula == "gapDays >= 0 (gapDays 1.5)"
    assert ca.tier_formula == "gapDays >= -3 (gapDays -1.8)"
    assert pb.tier_formula == "otherwise"
    assert g.explanation.startswith("T1: delay 3d >= buffer 1.5d (+0.50); 7 in 1 Shipment (+0.")
    assert g.paths == (
        _ids("W1", "S5", "CX1", "PX", "G"),
        _ids("W1", "S5", "CX2", "PX", "G"),
    )
    assert ca.paths == (_ids("W1", "S1", "CA"), _ids("W1", "S2", "CA"))
    assert pb.paths == (_ids("W1", "S4", "CB", "PB"),)
    assert g.actions == ("Call the account manager today",)
    assert ca.actions == ("Send a revised ETA", "Assign a human contact")
    assert pb.actions == ("Monitor",)
    totals = report.totals
    assert (totals.affected, totals.predicted_breaches) == (3, 1)
    assert totals.exposure_at_risk == 167.5
    assert totals.by_tier == {"T1": 1, "T2": 1, "T3": 1}
    assert report.labels["Customer:PX"] == "PX Ltd"
    assert report.labels["Shipment:S5"] == "S5"
    assert not report.truncated


async def test_what_if_writes_nothing_and_repeats(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    before = (await store.counts(), await store.registry())
    first = await _report(store)
    again = await _report(store)
    assert first == again
    assert (await store.counts(), await store.registry()) == before
    top = await _report(store, limit=1)
    assert [t.target for t in top.targets] == ["Customer:G"]
    assert top.truncated
    assert top.totals.affected == 3
    # a longer delay moves CA into T1 (breach); totals follow
    worse = await _report(store, delay_days=5)
    assert [t.tier for t in worse.targets] == ["T1", "T1", "T3"]


@pytest.mark.parametrize(
    ("options", "code", "path"),
    [
        ({"source": "Warehouse:NOPE"}, "NOT_FOUND", ["source"]),
        ({"source": "Customer:CA"}, "INVALID_INPUT", ["source"]),
        ({"source": "no colon"}, "INVALID_INPUT", ["source"]),
        ({"policy": "no-such-policy"}, "UNKNOWN_TYPE", ["policy"]),
        ({"delay_days": -1}, "INVALID_INPUT", ["delayDays"]),
        ({"delay_days": 10_000}, "INVALID_INPUT", ["delayDays"]),
        ({"delay_days": float("nan")}, "INVALID_INPUT", ["delayDays"]),
        ({"as_of": "2026-03-10T12:00:00"}, "INVALID_INPUT", ["asOf"]),
        ({"as_of": "10/03/2026"}, "INVALID_INPUT", ["asOf"]),
        ({"as_of": "yesterday"}, "INVALID_INPUT", ["asOf"]),
        ({"limit": 0}, "INVALID_INPUT", ["limit"]),
    ],
)
async def test_bad_requests(
    embedded_store: GraphStore, options: dict[str, Any], code: str, path: list[str]
) -> None:
    store = embedded_store
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    with pytest.raises(GraphCrmError) as caught:
        await _report(store, **options)
    assert (caught.value.code, list(caught.value.path)) == (code, path), caught.value


async def test_policies_are_versioned_definitions(store: GraphStore) -> None:
    await load_logistics(store)
    base = (await store.registry()).version
    registry = await store.define_impact_policy(customs_policy())
    assert registry.version == base + 1
    assert registry.policies["customs-delay"]["steps"][1]["relation"] == "SHIPPED_FOR"
    with pytest.raises(GraphCrmError) as caught:
        await store.define_impact_policy(customs_policy())
    assert caught.value.code == "TYPE_EXISTS"
    altered = customs_policy(description="tighter window")
    altered["signals"]["complaints"]["windowDays"] = 1
    registry = await store.alter_impact_policy(altered)
    assert registry.policies["customs-delay"]["description"] == "tighter window"
    report = await _report(store)
    assert {t.target: t.complaints for t in report.targets}["Customer:CA"] == 1
    changes = await store.registry_changes(base)
    assert [change.kind.value for change in changes] == [
        "DEFINE_IMPACT_POLICY",
        "ALTER_IMPACT_POLICY",
    ]
    assert changes[1].before is not None
    assert changes[1].before["description"] != "tighter window"
    registry = await store.drop_impact_policy("customs-delay")
    assert registry.policies == {}
    assert registry.version == base + 3
    with pytest.raises(GraphCrmError) as caught:
        await _report(store)
    assert caught.value.code == "UNKNOWN_TYPE"


async def test_policy_refused_and_types_it_uses_kept(store: GraphStore) -> None:
    await load_logistics(store)
    version = (await store.registry()).version
    broken = customs_policy()
    broken["steps"][1]["relation"] = "X`]->() DETACH DELETE n //"
    with pytest.raises(GraphCrmError) as caught:
        await store.define_impact_policy(broken)
    assert caught.value.code == "UNKNOWN_TYPE"
    assert caught.value.path == ("steps", 1, "relation")
    missing = customs_policy()
    missing["signals"]["exposure"]["property"] = "weight"
    with pytest.raises(GraphCrmError) as caught:
        await store.define_impact_policy(missing)
    assert caught.value.code == "UNKNOWN_PROPERTY"
    assert (await store.registry()).version == version
    # a type change that would break the stored policy is refused, naming it
    await store.define_entity_type({"name": "Audit", "properties": []})
    await store.define_relation_type({"name": "AUDITED", "from": "Customer", "to": "Audit"})
    policy = customs_policy()
    policy["signals"]["complaints"] = {
        "relation": "AUDITED",
        "direction": "OUT",
        "dateProperty": "on",
        "windowDays": 30,
    }
    with pytest.raises(GraphCrmError) as caught:
        await store.define_impact_policy(policy)
    assert caught.value.code == "UNKNOWN_PROPERTY"
    await store.alter_entity_type({"name": "Audit", "properties": [{"name": "on", "kind": "DATE"}]})
    await store.define_impact_policy(policy)
    before = await store.registry()
    with pytest.raises(GraphCrmError) as caught:
        await store.drop_relation_type("AUDITED")
    assert caught.value.code == "INCOMPATIBLE_CHANGE"
    assert "customs-delay" in caught.value.message
    with pytest.raises(GraphCrmError) as caught:
        await store.alter_entity_type({"name": "Audit", "properties": []})
    assert caught.value.code == "INCOMPATIBLE_CHANGE"
    assert await store.registry() == before
    await store.drop_impact_policy("customs-delay")
    await store.drop_relation_type("AUDITED")  # free once no policy uses it
