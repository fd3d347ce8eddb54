"""Two reports of one source side by side: who enters, who leaves, who changes tier (pure).

A what-if asks the same source under two settings (two delays, or two as-of times); an
incident (issue 18) compares two versions of its report. Both are this diff: it reads
only the two reports, so it holds whatever store or clock made them.

A target is matched by its global id. The diff is only as complete as the lists it is
given: a report cut to a limit (``truncated``) may hide targets, so the comparison says
whether both lists were whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_crm.impact.report import ImpactReport, RankedTarget


@dataclass(frozen=True, slots=True)
class TierChange:
    """A target affected on both sides whose tier differs: from ``before`` to ``after``."""

    before: RankedTarget
    after: RankedTarget


@dataclass(frozen=True, slots=True)
class ReportComparison:
    base: ImpactReport
    other: ImpactReport
    #: Affected on the other side only, in the other side's rank order.
    entered: tuple[RankedTarget, ...]
    #: Affected on the base side only, in the base side's rank order.
    left: tuple[RankedTarget, ...]
    #: Affected on both sides, tier changed, in the other side's rank order.
    tier_changes: tuple[TierChange, ...]
    #: Affected on both sides with the same tier.
    unchanged: int

    @property
    def complete(self) -> bool:
        """Both reports listed every target they affect: nothing is hidden by a limit."""
        return not (self.base.truncated or self.other.truncated)


def compare_reports(base: ImpactReport, other: ImpactReport) -> ReportComparison:
    """What changes from ``base`` to ``other``, target by target: a target in ``other``
    only entered, one in ``base`` only left, one in both whose tier differs changed tier
    (``tests/impact/test_compare.py`` has examples)."""
    before = {target.target: target for target in base.targets}
    after_ids = {target.target for target in other.targets}
    entered = tuple(target for target in other.targets if target.target not in before)
    left = tuple(target for target in base.targets if target.target not in after_ids)
    changes = tuple(
        TierChange(before[target.target], target)
        for target in other.targets
        if target.target in before and before[target.target].tier != target.tier
    )
    both = len(after_ids) - len(entered)
    return ReportComparison(base, other, entered, left, changes, both - len(changes))
