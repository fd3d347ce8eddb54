"""Hand-made reports, versions and incidents for the incident core's tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from graph_crm.impact.report import ImpactReport, Totals
from graph_crm.incidents.incident import Incident, open_incident
from graph_crm.incidents.version import IncidentVersion, VersionReason, next_version
from tests.impact.made_reports import ranked, report_of

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
INCIDENT_ID = "inc-00000000000000a1"
ACTIONS = {"T1": ("Call the account manager", "Re-route"), "T2": ("Send a revised ETA",)}


def report(
    tiers: Mapping[str, str], *, policy: str = "customs-delay", delay_days: float = 6.0
) -> ImpactReport:
    """A report affecting ``tiers``' customers (id -> tier), ranked in the order given,
    each with its tier's actions."""
    targets = [
        replace(ranked(rank, target, tier=tier), actions=ACTIONS.get(tier, ("Monitor",)))
        for rank, (target, tier) in enumerate(tiers.items(), start=1)
    ]
    made = replace(report_of(targets, delay_days=delay_days), policy=policy)
    by_tier: dict[str, int] = {}
    for tier in tiers.values():
        by_tier[tier] = by_tier.get(tier, 0) + 1
    return replace(made, totals=Totals(len(tiers), 1000.0 * len(tiers), len(tiers), by_tier))


def version_after(
    previous: IncidentVersion | None,
    reports: Sequence[ImpactReport],
    *,
    reason: VersionReason = VersionReason.OPENED,
    minutes: int = 0,
) -> IncidentVersion:
    delay = reports[0].delay_days if reports else 0.0
    at = T0 + timedelta(minutes=minutes)
    return next_version(previous, reports, reason=reason, delay_days=delay, at=at)


def opened(tiers: Mapping[str, str] | None = None) -> tuple[Incident, IncidentVersion]:
    """An incident opened on a report affecting ``tiers`` (default: A in T1, B in T2)."""
    first = version_after(None, [report(tiers or {"Customer:A": "T1", "Customer:B": "T2"})])
    incident = open_incident(
        INCIDENT_ID,
        first,
        source="Warehouse:W",
        starts_at=T0,
        note="customs hold",
        actor="risk@example.com",
    )
    return incident, first
