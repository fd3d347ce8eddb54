"""What changed from one incident version to the next, policy by policy (pure).

Built on :func:`graph_crm.impact.compare.compare_reports`: a customer entered (affected
now, not before), left (the reverse), or changed tier (with the rule that fired now, its
values included, as the reason). A policy evaluated on one side only counts as an empty
report on the other: all its customers entered (or left).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from graph_crm.impact.compare import compare_reports
from graph_crm.impact.report import ImpactReport, RankedTarget, Totals


@dataclass(frozen=True, slots=True)
class DiffTarget:
    target: str  # global id
    label: str
    tier: str
    rank: int


@dataclass(frozen=True, slots=True)
class DiffTierChange:
    target: str
    label: str
    from_tier: str
    to_tier: str
    from_rank: int
    to_rank: int
    #: The rule that fired in the newer version, with its values.
    reason: str


@dataclass(frozen=True, slots=True)
class PolicyDiff:
    policy: str
    entered: tuple[DiffTarget, ...]
    left: tuple[DiffTarget, ...]
    tier_changes: tuple[DiffTierChange, ...]
    unchanged: int
    #: Neither version's list was cut by a limit, so nothing is hidden from the diff.
    complete: bool = True

    @property
    def empty(self) -> bool:
        return not (self.entered or self.left or self.tier_changes)


@dataclass(frozen=True, slots=True)
class IncidentDiff:
    """Per policy of either version (by name), what changed."""

    policies: tuple[PolicyDiff, ...]

    @property
    def empty(self) -> bool:
        return all(policy.empty for policy in self.policies)


def _listed(target: RankedTarget) -> DiffTarget:
    return DiffTarget(target.target, target.label, target.tier, target.rank)


def _nothing_like(report: ImpactReport) -> ImpactReport:
    return replace(report, targets=(), totals=Totals(0, 0.0, 0, {}), truncated=False)


def diff_reports(before: Sequence[ImpactReport], after: Sequence[ImpactReport]) -> IncidentDiff:
    """The diff from the reports ``before`` to the reports ``after`` (one per policy).

    >>> diff_reports([], []).empty
    True
    """
    old = {report.policy: report for report in before}
    new = {report.policy: report for report in after}
    diffs = []
    for policy in sorted(old.keys() | new.keys()):
        base = old.get(policy) or _nothing_like(new[policy])
        other = new.get(policy) or _nothing_like(base)
        compared = compare_reports(base, other)
        diffs.append(
            PolicyDiff(
                policy=policy,
                entered=tuple(map(_listed, compared.entered)),
                left=tuple(map(_listed, compared.left)),
                tier_changes=tuple(
                    DiffTierChange(
                        target=change.after.target,
                        label=change.after.label,
                        from_tier=change.before.tier,
                        to_tier=change.after.tier,
                        from_rank=change.before.rank,
                        to_rank=change.after.rank,
                        reason=change.after.tier_rule,
                    )
                    for change in compared.tier_changes
                ),
                unchanged=compared.unchanged,
                complete=compared.complete,
            )
        )
    return IncidentDiff(tuple(diffs))
