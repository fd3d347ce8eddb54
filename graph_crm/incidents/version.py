"""An incident's evaluated report, kept as an immutable, numbered version (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from graph_crm.impact.report import ImpactReport
from graph_crm.incidents.diff import IncidentDiff, diff_reports


class VersionReason(StrEnum):
    """Why a version was stored."""

    OPENED = "opened"
    DELAY_UPDATED = "delay updated"
    REPORTED_AGAIN = "reported again"
    REEVALUATED = "re-evaluated"


@dataclass(frozen=True, slots=True)
class VersionTotals:
    """Summed over the version's policies (a customer two policies reach counts twice)."""

    affected: int
    predicted_breaches: int
    exposure_at_risk: float
    by_tier: dict[str, int]


@dataclass(frozen=True, slots=True)
class IncidentVersion:
    number: int  # 1, 2, ... per incident
    created_at: datetime
    reason: VersionReason
    delay_days: float
    #: One report per impact policy whose source type is the incident's, by policy name.
    reports: tuple[ImpactReport, ...]
    #: From the previous version to this one (the first version: from nothing).
    diff: IncidentDiff
    #: Re-evaluated: what the writes that caused it changed (``Shipment``,
    #: ``Contract.slaDeadline``, ``ROUTED_VIA``), as the footprint of a policy read it.
    changes: tuple[str, ...] = ()

    @property
    def totals(self) -> VersionTotals:
        by_tier: dict[str, int] = {}
        for report in self.reports:
            for tier, count in report.totals.by_tier.items():
                by_tier[tier] = by_tier.get(tier, 0) + count
        return VersionTotals(
            affected=sum(report.totals.affected for report in self.reports),
            predicted_breaches=sum(report.totals.predicted_breaches for report in self.reports),
            exposure_at_risk=sum(report.totals.exposure_at_risk for report in self.reports),
            by_tier=by_tier,
        )


def next_version(
    previous: IncidentVersion | None,
    reports: Sequence[ImpactReport],
    *,
    reason: VersionReason,
    delay_days: float,
    at: datetime,
    changes: Sequence[str] = (),
) -> IncidentVersion:
    """The version after ``previous`` (None: the first) holding ``reports``, with the diff
    from ``previous``'s reports; its reports are ordered by policy name."""
    ordered = tuple(sorted(reports, key=lambda report: report.policy))
    before = () if previous is None else previous.reports
    return IncidentVersion(
        number=1 if previous is None else previous.number + 1,
        created_at=at,
        reason=reason,
        delay_days=delay_days,
        reports=ordered,
        diff=diff_reports(before, ordered),
        changes=tuple(changes),
    )
