"""The report as plain JSON data (camelCase, ISO 8601 UTC times), and shared formatting."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graph_crm.impact.rank import money as amount
from graph_crm.impact.report import Component, ImpactReport, RankedTarget

__all__ = ["amount", "days", "entity_text", "iso", "path_text", "report_to_json", "when"]


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    text = moment.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def when(moment: datetime | None) -> str:
    """A time for people: '2026-11-23 09:00 UTC'."""
    return "—" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def report_to_json(report: ImpactReport) -> dict[str, Any]:
    """Every field of the report, for JSON output and API clients."""
    return {
        "policy": report.policy,
        "policyVersion": report.policy_version,
        "policyDescription": report.policy_description,
        "source": report.source,
        "sourceLabel": report.source_label,
        "delayDays": report.delay_days,
        "asOf": iso(report.as_of),
        "totals": {
            "affected": report.totals.affected,
            "exposureAtRisk": report.totals.exposure_at_risk,
            "predictedBreaches": report.totals.predicted_breaches,
            "byTier": dict(report.totals.by_tier),
        },
        "tiers": [{"tier": t.tier, "label": t.label, "rule": t.rule} for t in report.tiers],
        "truncated": report.truncated,
        "targets": [_target(target) for target in report.targets],
        "labels": dict(sorted(report.labels.items())),
    }


def _target(target: RankedTarget) -> dict[str, Any]:
    return {
        "rank": target.rank,
        "target": target.target,
        "label": target.label,
        "tier": target.tier,
        "tierLabel": target.tier_label,
        "tierRule": target.tier_rule,
        "score": target.score,
        "components": [_component(c) for c in target.components],
        "slaBufferDays": target.sla_buffer_days,
        "slaDeadline": iso(target.sla_deadline),
        "slaEntity": target.sla_entity,
        "breachPredicted": target.breach_predicted,
        "complaints": target.complaints,
        "exposure": target.exposure,
        "exposureEntities": target.exposure_entities,
        "pathCount": target.path_count,
        "paths": [list(path) for path in target.paths],
        "actions": list(target.actions),
        "explanation": target.explanation,
    }


def _component(component: Component) -> dict[str, Any]:
    return {
        "name": component.name,
        "value": component.value,
        "weight": component.weight,
        "contribution": component.contribution,
        "reason": component.reason,
    }


def days(value: float | None) -> str:
    """A buffer in days for people: '4.8', '-2.0', '—' without an SLA."""
    return "—" if value is None else f"{value:.1f}"


def path_text(report: ImpactReport, path: tuple[str, ...]) -> str:
    """'Warehouse RTM-02 (Rotterdam) > Shipment SHP-1 > Customer ACME (Acme Ltd)'."""
    return " > ".join(entity_text(report, entity) for entity in path)


def entity_text(report: ImpactReport, entity: str) -> str:
    type_name, _, key = entity.partition(":")
    label = report.labels.get(entity, key)
    return f"{type_name} {key}" + (f" ({label})" if label != key else "")
