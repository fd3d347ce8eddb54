"""Hand-made impact reports for the HTML pictures' tests: only what a picture reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from graph_crm.impact.report import Component, ImpactReport, RankedTarget, TierInfo, Totals

SOURCE = "Warehouse:W"
TIERS = (
    TierInfo("T1", "Breach predicted", "gapDays >= 0"),
    TierInfo("T2", "Close", "gapDays >= -3"),
    TierInfo("T3", "No breach", "otherwise"),
)


def ranked(
    rank: int,
    target: str,
    *,
    tier: str = "T1",
    paths: Sequence[Sequence[str]] = (),
    values: tuple[float, float, float] = (1.0, 0.5, 0.25),
    buffer_days: float | None = 2.0,
) -> RankedTarget:
    """A target whose components are ``values`` (urgency, exposure, complaints) weighted
    0.5, 0.3 and 0.2."""
    components = tuple(
        Component(name, value, weight, round(value * weight, 6), f"{name} reason")
        for name, value, weight in zip(
            ("urgency", "exposure", "complaints"), values, (0.5, 0.3, 0.2), strict=True
        )
    )
    return RankedTarget(
        rank=rank,
        target=target,
        label=target.partition(":")[2],
        tier=tier,
        tier_label=next(t.label for t in TIERS if t.tier == tier),
        tier_rule=f"rule of {tier}",
        score=round(sum(c.contribution for c in components), 6),
        components=components,
        sla_buffer_days=buffer_days,
        sla_deadline=None,
        sla_entity=None,
        breach_predicted=buffer_days is not None and buffer_days <= 6,
        complaints=1,
        exposure=1000.0,
        exposure_entities=1,
        path_count=len(paths),
        paths=tuple(tuple(path) for path in paths),
        actions=(),
        explanation=f"{tier}: why",
    )


def report_of(targets: Sequence[RankedTarget], delay_days: float = 6.0) -> ImpactReport:
    return ImpactReport(
        policy="customs-delay",
        registry_version=1,
        source=SOURCE,
        source_label="Rotterdam",
        delay_days=delay_days,
        as_of=datetime(2026, 11, 23, 9, tzinfo=UTC),
        targets=tuple(targets),
        totals=Totals(len(targets), 1000.0 * len(targets), len(targets), {}),
        truncated=False,
        tiers=TIERS,
    )
