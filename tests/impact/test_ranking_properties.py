"""Properties of the ranking (hypothesis): monotone signals, stable order, honest totals."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from graph_crm.impact.plan import ImpactRow
from graph_crm.impact.policy import Policy, compile_policy
from graph_crm.impact.rank import build_report
from graph_crm.impact.report import ImpactReport, RankedTarget
from tests.contract.logistics import customs_policy
from tests.examples import examples
from tests.impact.registry import logistics_registry

AS_OF = datetime(2026, 3, 10, 12, tzinfo=UTC)
SOURCE = "Warehouse:W1"


@cache
def policy() -> Policy:
    return compile_policy(logistics_registry(), customs_policy())


@st.composite
def rows(draw: st.DrawFn, *, min_size: int = 1) -> list[ImpactRow]:
    keys = draw(st.lists(st.integers(0, 10_000), min_size=min_size, max_size=25, unique=True))
    found = []
    for key in keys:
        target = f"Customer:C{key:05d}"
        hours = draw(st.none() | st.integers(-10 * 24, 40 * 24))
        found.append(
            ImpactRow(
                target=target,
                paths=((SOURCE, f"Shipment:S{key}", target),),
                path_count=draw(st.integers(1, 5)),
                sla_deadline=None if hours is None else AS_OF + timedelta(hours=hours),
                sla_entity=None if hours is None else f"Contract:K{key}",
                complaints=draw(st.integers(0, 12)),
                exposure=float(draw(st.integers(0, 5_000_000))),
                exposure_entities=draw(st.integers(1, 4)),
            )
        )
    return found


delays = st.floats(0, 30, allow_nan=False)


def _report(found: list[ImpactRow], delay: float, limit: int = 10_000) -> ImpactReport:
    return build_report(policy(), found, source=SOURCE, delay_days=delay, as_of=AS_OF, limit=limit)


def _by_target(report: ImpactReport) -> dict[str, RankedTarget]:
    return {target.target: target for target in report.targets}


def _component(target: RankedTarget, name: str) -> float:
    return next(c.value for c in target.components if c.name == name)


@settings(max_examples=examples(150), deadline=None)
@given(rows(), delays, st.data())
def test_more_exposure_never_lowers_the_score(
    found: list[ImpactRow], delay: float, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(found) - 1))
    extra = data.draw(st.integers(1, 2_000_000))
    richer = list(found)
    richer[index] = replace(found[index], exposure=found[index].exposure + extra)
    target = found[index].target
    before, after = (
        _by_target(_report(found, delay))[target],
        _by_target(_report(richer, delay))[target],
    )
    assert after.score >= before.score
    assert _component(after, "exposure") >= _component(before, "exposure")


@settings(max_examples=examples(150), deadline=None)
@given(rows(), delays, st.data())
def test_less_slack_never_lowers_urgency_nor_the_tier(
    found: list[ImpactRow], delay: float, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(found) - 1))
    row = found[index]
    deadline = row.sla_deadline or AS_OF + timedelta(days=60)
    earlier = deadline - timedelta(hours=data.draw(st.integers(1, 30 * 24)))
    tighter = list(found)
    tighter[index] = replace(row, sla_deadline=earlier, sla_entity="Contract:TIGHT")
    order = [tier.tier for tier in policy().tiers]
    before = _by_target(_report(found, delay))[row.target]
    after = _by_target(_report(tighter, delay))[row.target]
    assert _component(after, "urgency") >= _component(before, "urgency")
    if row.sla_deadline is not None:  # with no SLA before, any tier may follow
        assert order.index(after.tier) <= order.index(before.tier)


@settings(max_examples=examples(150), deadline=None)
@given(rows(min_size=2), delays, st.data())
def test_another_target_never_reorders_the_others(
    found: list[ImpactRow], delay: float, data: st.DataObject
) -> None:
    newcomer = data.draw(rows()).pop()
    newcomer = replace(newcomer, target="Customer:NEW", paths=((SOURCE, "Customer:NEW"),))
    before = _report(found, delay)
    after = _report([*found, newcomer], delay)
    others = [t for t in after.targets if t.target != "Customer:NEW"]
    assert [t.target for t in others] == [t.target for t in before.targets]
    for old, new in zip(before.targets, others, strict=True):
        assert (old.score, old.tier, old.components) == (new.score, new.tier, new.components)


@settings(max_examples=examples(150), deadline=None)
@given(rows(), delays, st.integers(1, 30), st.randoms(use_true_random=False))
def test_totals_truncation_and_input_order(
    found: list[ImpactRow], delay: float, limit: int, rnd: random.Random
) -> None:
    full = _report(found, delay)
    shuffled = list(found)
    rnd.shuffle(shuffled)
    assert _report(shuffled, delay) == full
    totals = full.totals
    assert totals.affected == len(found) == len(full.targets)
    assert totals.predicted_breaches == sum(t.breach_predicted for t in full.targets)
    assert sum(totals.by_tier.values()) == totals.affected
    assert [t.rank for t in full.targets] == list(range(1, len(found) + 1))
    cut = _report(found, delay, limit)
    assert cut.targets == full.targets[:limit]
    assert cut.truncated == (len(found) > limit)
    assert cut.totals == totals
    order = [tier.tier for tier in policy().tiers]
    keys = [(order.index(t.tier), -t.score, t.target) for t in full.targets]
    assert keys == sorted(keys)


@settings(max_examples=examples(150), deadline=None)
@given(rows(), delays)
def test_components_are_bounded_and_add_up(found: list[ImpactRow], delay: float) -> None:
    for target in _report(found, delay).targets:
        for component in target.components:
            assert 0.0 <= component.value <= 1.0
            assert abs(component.contribution - component.value * component.weight) <= 1e-6
        assert abs(target.score - sum(c.contribution for c in target.components)) <= 1e-5
        assert target.breach_predicted == (
            target.sla_buffer_days is not None and delay >= target.sla_buffer_days
        )
        assert target.tier == "T1" if target.breach_predicted else target.tier != "T1"
