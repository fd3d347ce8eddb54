"""``impactComparison``: one source under two settings, who enters, leaves, changes tier.

Computed by :mod:`graph_crm.services.impact_comparison` (one evaluation per side), the
diff by :mod:`graph_crm.impact.compare`, which an incident's report versions reuse.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from graph_crm.api.context import Info, field
from graph_crm.api.impact import ImpactTotals, totals_of
from graph_crm.impact import report as model
from graph_crm.impact.compare import ReportComparison
from graph_crm.impact.report_inputs import DEFAULT_DELAY_DAYS, DEFAULT_LIMIT, check_limit
from graph_crm.services.impact_comparison import Setting, impact_comparison


@strawberry.input(description="One side of a what-if: a delay, as of a time.")
class ImpactSettingInput:
    delay_days: float = strawberry.field(
        default=DEFAULT_DELAY_DAYS, description="Expected delay in days, 0 to 365."
    )
    as_of: str | None = strawberry.field(
        default=None,
        description="An ISO date or date-time with zone; null: now (both sides the same now).",
    )


@strawberry.type(description="One side of a comparison: its settings and its totals.")
class ImpactSide:
    delay_days: float
    as_of: datetime
    as_of_is_now: bool
    totals: ImpactTotals
    truncated: bool = strawberry.field(
        description="It affects more targets than a comparison ranks (10,000)."
    )


@strawberry.type(description="A target affected on one side only: its rank and tier there.")
class ImpactComparedTarget:
    target: strawberry.ID
    label: str
    rank: int
    tier: str
    tier_label: str
    tier_rule: str = strawberry.field(description="The rule that fired, with its values.")
    score: float
    exposure: float


@strawberry.type(description="A target affected on both sides whose tier differs.")
class ImpactTierChange:
    target: strawberry.ID
    label: str
    from_tier: str
    from_tier_label: str
    from_rank: int
    to_tier: str
    to_tier_label: str
    to_rank: int
    reason: str = strawberry.field(
        description="Why it is in its new tier: the other side's rule, with its values."
    )
    base_reason: str = strawberry.field(description="The base side's rule, with its values.")


@strawberry.type(description="What changes from the base settings to the other ones.")
class ImpactComparison:
    policy: str
    policy_revision: int
    currency: str | None
    source: strawberry.ID
    source_label: str
    base: ImpactSide
    other: ImpactSide
    complete: bool = strawberry.field(
        description="Both sides were ranked whole: nothing is hidden by the 10,000 cap."
    )
    entered_count: int
    left_count: int
    tier_change_count: int
    unchanged: int = strawberry.field(description="Affected on both sides, tier unchanged.")
    entered: list[ImpactComparedTarget] = strawberry.field(
        description="Affected under other only, in its rank order (the first `limit`)."
    )
    left: list[ImpactComparedTarget] = strawberry.field(
        description="Affected under base only, in its rank order (the first `limit`)."
    )
    tier_changes: list[ImpactTierChange] = strawberry.field(
        description="In the other side's rank order (the first `limit`)."
    )

    @classmethod
    def from_model(cls, diff: ReportComparison, limit: int) -> ImpactComparison:
        other = diff.other
        return cls(
            policy=other.policy,
            policy_revision=other.policy_revision,
            currency=other.currency,
            source=strawberry.ID(other.source),
            source_label=other.source_label,
            base=_side(diff.base),
            other=_side(other),
            complete=diff.complete,
            entered_count=len(diff.entered),
            left_count=len(diff.left),
            tier_change_count=len(diff.tier_changes),
            unchanged=diff.unchanged,
            entered=[_compared(target) for target in diff.entered[:limit]],
            left=[_compared(target) for target in diff.left[:limit]],
            tier_changes=[
                ImpactTierChange(
                    target=strawberry.ID(change.after.target),
                    label=change.after.label,
                    from_tier=change.before.tier,
                    from_tier_label=change.before.tier_label,
                    from_rank=change.before.rank,
                    to_tier=change.after.tier,
                    to_tier_label=change.after.tier_label,
                    to_rank=change.after.rank,
                    reason=change.after.tier_rule,
                    base_reason=change.before.tier_rule,
                )
                for change in diff.tier_changes[:limit]
            ],
        )


def _side(report: model.ImpactReport) -> ImpactSide:
    return ImpactSide(
        delay_days=report.delay_days,
        as_of=report.as_of,
        as_of_is_now=report.as_of_is_now,
        totals=totals_of(report),
        truncated=report.truncated,
    )


def _compared(target: model.RankedTarget) -> ImpactComparedTarget:
    return ImpactComparedTarget(
        target=strawberry.ID(target.target),
        label=target.label,
        rank=target.rank,
        tier=target.tier,
        tier_label=target.tier_label,
        tier_rule=target.tier_rule,
        score=target.score,
        exposure=target.exposure,
    )


@strawberry.type
class ImpactComparisonQuery:
    @field(
        "A what-if side by side: `source` under the `base` settings and under the `other` "
        "ones (two delays, or two as-of times), with who enters, who leaves and who "
        "changes tier (each list its first `limit`, default 50) and both sides' totals. "
        "One evaluation per side (one in all when both read the same instant). Reads only."
    )
    async def impact_comparison(
        self,
        info: Info,
        source: strawberry.ID,
        base: ImpactSettingInput,
        other: ImpactSettingInput,
        policy: str | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> ImpactComparison:
        count = check_limit(limit)
        with info.context.request.app.state.metrics.impact_report():
            diff = await impact_comparison(
                info.context.store,
                policy=policy,
                source=str(source),
                base=Setting(base.delay_days, base.as_of),
                other=Setting(other.delay_days, other.as_of),
            )
        return ImpactComparison.from_model(diff, count)
