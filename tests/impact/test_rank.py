"""Properties of the ranking (impact/rank.py, hypothesis), over the customs policy of the
logistics schema.

On rows at the brief's scale: more exposure or less slack never helps, a newcomer never
reorders the others, totals, truncation and input order, bounded components. On wider
rows (floats to 1e7, complaints to 50, deadlines passed or weeks away): the numbers
against the model itself, the tier partition, the other monotone signals (complaints,
delay), ties, response plans and explanations.
"""

from __future__ import annotations

import math
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


@st.composite
def wide_rows(draw: st.DrawFn, *, min_size: int = 1) -> list[ImpactRow]:
    keys = draw(st.lists(st.integers(0, 999), min_size=min_size, max_size=20, unique=True))
    found = []
    for key in keys:
        target = f"Customer:C{key:03d}"
        # whole seconds keep buffers exact at the 6 digits the ranking rounds to
        seconds = draw(st.none() | st.integers(-20 * 86_400, 60 * 86_400))
        deadline = None if seconds is None else AS_OF + timedelta(seconds=seconds)
        found.append(
            ImpactRow(
                target=target,
                paths=((SOURCE, f"Shipment:S{key}", target),),
                path_count=draw(st.integers(1, 6)),
                sla_deadline=deadline,
                sla_entity=None if deadline is None else f"Contract:K{key}",
                complaints=draw(st.integers(0, 50)),
                exposure=draw(st.floats(0, 1e7, allow_nan=False)),
                exposure_entities=draw(st.integers(1, 9)),
            )
        )
    return found


def _tier_index(tier: str) -> int:
    return [rule.tier for rule in policy().tiers].index(tier)


WIDE = settings(max_examples=examples(120), deadline=None)


@WIDE
@given(wide_rows(), delays)
def test_numbers_follow_the_model(found: list[ImpactRow], delay: float) -> None:
    """u = 1 on a breach else exp(gap/tau), 0 without SLA; log exposure; capped complaints."""
    report = _by_target(_report(found, delay))
    for row in found:
        target = report[row.target]
        gap = None
        if row.sla_deadline is not None:
            buffer = (row.sla_deadline - AS_OF).total_seconds() / 86_400
            assert target.sla_buffer_days is not None
            assert math.isclose(target.sla_buffer_days, buffer, abs_tol=1e-6)
            gap = delay - target.sla_buffer_days  # the rounded buffer the report shows
        urgency = 0.0 if gap is None else 1.0 if gap >= 0 else math.exp(gap / 7)
        exposure = min(1.0, math.log1p(row.exposure) / math.log1p(1000))
        complaints = min(1.0, row.complaints / 4)
        assert math.isclose(_component(target, "urgency"), urgency, abs_tol=1e-6)
        assert math.isclose(_component(target, "exposure"), exposure, abs_tol=1e-6)
        assert math.isclose(_component(target, "complaints"), complaints, abs_tol=1e-6)
        expected = 0.5 * urgency + 0.3 * exposure + 0.2 * complaints
        assert math.isclose(target.score, expected, abs_tol=1e-5)
        assert 0.0 <= target.score <= 1.0
        # the tiers partition on the gap: T1 >= 0 > T2 >= -3 > T3, T3 also without an SLA
        tier = "T3" if gap is None or gap < -3 else "T2" if gap < 0 else "T1"
        assert target.tier == tier
        assert target.breach_predicted == (gap is not None and gap >= 0)


@WIDE
@given(wide_rows(), delays, st.data())
def test_more_complaints_never_lower_the_score(
    found: list[ImpactRow], delay: float, data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(found) - 1))
    louder = list(found)
    louder[index] = replace(found[index], complaints=found[index].complaints + 1)
    target = found[index].target
    before = _by_target(_report(found, delay))[target]
    after = _by_target(_report(louder, delay))[target]
    assert after.score >= before.score
    assert _component(after, "complaints") >= _component(before, "complaints")
    assert after.tier == before.tier  # tiers read the SLA gap only


@WIDE
@given(wide_rows(), delays, st.floats(0, 30, allow_nan=False))
def test_a_longer_delay_never_eases_anyone(
    found: list[ImpactRow], delay: float, more: float
) -> None:
    shorter, longer = _report(found, delay), _report(found, min(delay + more, 365.0))
    after = _by_target(longer)
    for before in shorter.targets:
        now = after[before.target]
        assert _component(now, "urgency") >= _component(before, "urgency")
        assert _tier_index(now.tier) <= _tier_index(before.tier)
        assert now.score >= before.score
    assert longer.totals.predicted_breaches >= shorter.totals.predicted_breaches


@WIDE
@given(wide_rows(), delays, st.sampled_from(["Customer:A", "Customer:C500", "Customer:Z"]))
def test_a_tied_newcomer_keeps_the_others_in_order(
    found: list[ImpactRow], delay: float, newcomer_id: str
) -> None:
    """A copy of an existing row under another id ties with it; ties break by id only."""
    if any(row.target == newcomer_id for row in found):
        return
    twin = replace(found[0], target=newcomer_id, paths=((SOURCE, newcomer_id),))
    before = [t.target for t in _report(found, delay).targets]
    after = [t.target for t in _report([*found, twin], delay).targets]
    assert [target for target in after if target != newcomer_id] == before
    original, copy = after.index(found[0].target), after.index(newcomer_id)
    between = after[min(original, copy) + 1 : max(original, copy)]
    ranked = _by_target(_report([*found, twin], delay))
    score = ranked[newcomer_id].score
    assert all(ranked[other].score == score for other in between)
    assert (original < copy) == (found[0].target < newcomer_id)


@WIDE
@given(wide_rows(), delays)
def test_plans_explanations_and_totals(found: list[ImpactRow], delay: float) -> None:
    report = _report(found, delay)
    for target in report.targets:
        # every plan that holds adds its actions, in the policy's order
        plans = [
            (target.tier == "T1", "Call the account manager today"),
            (target.tier == "T2", "Send a revised ETA"),
            (target.complaints >= 2, "Assign a human contact"),
            (target.tier == "T3", "Monitor"),
        ]
        assert list(target.actions) == [action for holds, action in plans if holds]
        assert target.explanation.startswith(f"{target.tier}: ")
        assert target.tier_rule.startswith(f"{target.tier_label}: ")
        assert target.explanation.count("(+") == 3  # every weight of the policy is > 0
    totals = report.totals
    assert list(totals.by_tier) == ["T1", "T2", "T3"]
    assert totals.exposure_at_risk == math.fsum(row.exposure for row in found)
    assert [target.rank for target in report.targets] == list(range(1, len(found) + 1))
