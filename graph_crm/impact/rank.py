"""Rows -> a ranked, explained report: signals, tier, score, plan (pure, shared by backends).

For a delay of ``D`` days as of ``t``: the SLA buffer ``b`` is the earliest deadline
minus ``t`` in days, and a breach is predicted when ``D >= b``. Tier rules are checked
in order on the raw signals (the first that holds fires); the score is
``w_u*u + w_v*v + w_c*k`` with each component in [0, 1] against fixed reference points,
never against the other affected targets, so adding one target never reorders the
rest:

- urgency ``u = 1`` if ``D >= b``, else ``exp((D - b) / tau)``; 0 without an SLA;
- exposure ``v = min(1, log1p(value) / log1p(reference))``;
- complaints ``k = min(1, count / reference)``.

Targets rank by tier (the policy's order), then score (higher first), then id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from graph_crm.impact.conditions import holds
from graph_crm.impact.explain import (
    complaints_reason,
    explain,
    exposure_reason,
    tier_formula,
    tier_rule,
    urgency_reason,
)
from graph_crm.impact.plan import ImpactRow
from graph_crm.impact.policy import Policy
from graph_crm.impact.report import (
    SIGNALS,
    Component,
    ImpactReport,
    RankedTarget,
    TierInfo,
    Totals,
)
from graph_crm.impact.request import exposure_total

#: Digits kept in scores and components: equal inputs give equal, readable numbers.
DIGITS: Final = 6
_DAY: Final = 86_400.0


@dataclass(frozen=True, slots=True)
class Signals:
    """One target's raw signals, as tier rules and plans see them."""

    delay_days: float
    buffer_days: float | None
    complaints: int
    exposure: float
    path_count: int

    @property
    def breach(self) -> bool:
        return self.buffer_days is not None and self.delay_days >= self.buffer_days

    @property
    def gap_days(self) -> float | None:
        return None if self.buffer_days is None else self.delay_days - self.buffer_days

    def facts(self) -> dict[str, Any]:
        return {
            "delayDays": self.delay_days,
            "bufferDays": self.buffer_days,
            "gapDays": self.gap_days,
            "breach": self.breach,
            "complaints": self.complaints,
            "exposure": self.exposure,
            "pathCount": self.path_count,
        }


def signals_of(row: ImpactRow, delay_days: float, as_of: datetime) -> Signals:
    buffer = None
    if row.sla_deadline is not None:
        buffer = round((row.sla_deadline - as_of).total_seconds() / _DAY, DIGITS)
    return Signals(delay_days, buffer, row.complaints, row.exposure, row.path_count)


def urgency(signals: Signals, tau_days: float) -> float:
    """1 when a breach is predicted, decaying with the days of slack left; 0 without SLA."""
    gap = signals.gap_days
    if gap is None:
        return 0.0
    return 1.0 if gap >= 0 else math.exp(gap / tau_days)


def exposure_score(value: float, reference: float) -> float:
    return min(1.0, math.log1p(max(value, 0.0)) / math.log1p(reference))


def complaints_score(count: int, reference: int) -> float:
    return min(1.0, count / reference)


def build_report(
    policy: Policy,
    rows: Sequence[ImpactRow],
    *,
    source: str,
    delay_days: float,
    as_of: datetime,
    limit: int,
    labels: Mapping[str, str] | None = None,
) -> ImpactReport:
    """Rank every row, list the first ``limit``; totals count them all."""
    labels = labels or {}
    order = {tier.tier: i for i, tier in enumerate(policy.tiers)}
    ranked = sorted(
        (_target(policy, row, delay_days, as_of, labels) for row in rows),
        key=lambda target: (order[target.tier], -target.score, target.target),
    )
    by_tier = {tier.tier: 0 for tier in policy.tiers}
    for target in ranked:
        by_tier[target.tier] += 1
    totals = Totals(
        affected=len(ranked),
        exposure_at_risk=exposure_total(target.exposure for target in ranked),
        predicted_breaches=sum(target.breach_predicted for target in ranked),
        by_tier=by_tier,
    )
    listed = tuple(
        replace(target, rank=rank) for rank, target in enumerate(ranked[:limit], start=1)
    )
    return ImpactReport(
        policy=policy.name,
        registry_version=policy.plan.version,
        policy_revision=policy.revision,
        currency=policy.currency,
        signals=_signals_read(policy),
        source=source,
        source_label=labels.get(source, source.partition(":")[2]),
        delay_days=delay_days,
        as_of=as_of,
        targets=listed,
        totals=totals,
        truncated=len(ranked) > limit,
        policy_description=policy.description,
        tiers=tuple(
            TierInfo(tier.tier, tier.label, tier.rule, tier.formula) for tier in policy.tiers
        ),
        labels=dict(labels),
    )


def _signals_read(policy: Policy) -> tuple[str, ...]:
    plan = policy.plan
    read = {"sla": plan.sla, "exposure": plan.exposure, "complaints": plan.complaints}
    return tuple(name for name in SIGNALS if read[name] is not None)


def report_ids(report: ImpactReport) -> list[str]:
    """Every id a report shows: its source, listed targets and their paths' entities."""
    ids = {report.source}
    for target in report.targets:
        ids.add(target.target)
        ids.update(entity for path in target.paths for entity in path)
    return sorted(ids)


def with_labels(report: ImpactReport, labels: Mapping[str, str]) -> ImpactReport:
    """The report with display labels for its ids (ids without one keep their key)."""
    targets = tuple(
        replace(target, label=labels.get(target.target, target.label)) for target in report.targets
    )
    return replace(
        report,
        targets=targets,
        source_label=labels.get(report.source, report.source_label),
        labels={**report.labels, **labels},
    )


def _target(
    policy: Policy,
    row: ImpactRow,
    delay_days: float,
    as_of: datetime,
    labels: Mapping[str, str],
) -> RankedTarget:
    signals = signals_of(row, delay_days, as_of)
    facts = signals.facts()
    tier = next(rule for rule in policy.tiers if holds(rule.when, facts))
    components = _components(policy, row, signals)
    score = round(sum(component.contribution for component in components), DIGITS)
    actions = _actions(policy, {**facts, "score": score, "tier": tier.tier})
    explanation = explain(tier.tier, components)
    return RankedTarget(
        rank=0,
        target=row.target,
        label=labels.get(row.target, row.target.partition(":")[2]),
        tier=tier.tier,
        tier_label=tier.label,
        tier_rule=tier_rule(tier, facts, policy.currency),
        tier_formula=tier_formula(tier, facts),
        score=score,
        components=components,
        sla_buffer_days=signals.buffer_days,
        sla_deadline=row.sla_deadline,
        sla_entity=row.sla_entity,
        breach_predicted=signals.breach,
        complaints=row.complaints,
        exposure=row.exposure,
        exposure_entities=row.exposure_entities,
        path_count=row.path_count,
        paths=row.paths,
        actions=actions,
        explanation=explanation,
    )


def _components(policy: Policy, row: ImpactRow, signals: Signals) -> tuple[Component, ...]:
    """One component per signal the policy reads (one it does not read is not a reason)."""
    scoring, plan = policy.scoring, policy.plan
    values: list[tuple[str, float, float, str]] = []
    if plan.sla is not None:
        reason = urgency_reason(signals.delay_days, signals.buffer_days)
        values.append(("urgency", urgency(signals, scoring.tau_days), scoring.urgency, reason))
    if plan.exposure is not None:
        reference = scoring.exposure_reference
        value = 0.0 if reference is None else exposure_score(row.exposure, reference)
        reason = exposure_reason(row, policy.exposure_noun, policy.currency)
        values.append(("exposure", value, scoring.exposure, reason))
    if plan.complaints is not None:
        value = complaints_score(row.complaints, scoring.complaints_reference)
        reason = complaints_reason(row.complaints, plan.complaints.window_days)
        values.append(("complaints", value, scoring.complaints, reason))
    return tuple(
        Component(name, round(value, DIGITS), weight, round(value * weight, DIGITS), reason)
        for name, value, weight, reason in values
    )


def _actions(policy: Policy, facts: Mapping[str, Any]) -> tuple[str, ...]:
    actions: dict[str, None] = {}
    for plan in policy.plans:
        if holds(plan.when, facts):
            actions.update(dict.fromkeys(plan.actions))
    return tuple(actions)
