"""The report as plain JSON data: every field, camelCase keys, ISO 8601 UTC times.

``asOf`` comes first; ``currency`` (null when the policy names none) is the currency of
every amount; ``policyRevision`` is the policy's own revision, ``registryVersion`` the
registry's version when the report ran.

The same shape serves the ``json`` format and API clients that want the whole report,
and :func:`report_from_json` reads it back (an incident stores its versions' reports so).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from graph_crm.impact.render.display import utc
from graph_crm.impact.report import Component, ImpactReport, RankedTarget, TierInfo, Totals


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z``; a naive time is taken as UTC.

    >>> iso(datetime(2026, 11, 23, 9, 30))
    '2026-11-23T09:30:00Z'
    """
    return None if moment is None else utc(moment).isoformat().replace("+00:00", "Z")


def report_to_json(report: ImpactReport) -> dict[str, Any]:
    """Every field of the report (floats as they are), ready for :func:`json.dumps`."""
    return {
        "asOf": iso(report.as_of),
        "asOfIsNow": report.as_of_is_now,
        "policy": report.policy,
        "policyRevision": report.policy_revision,
        "registryVersion": report.registry_version,
        "policyDescription": report.policy_description,
        "currency": report.currency,
        "signals": list(report.signals),
        "source": report.source,
        "sourceLabel": report.source_label,
        "delayDays": report.delay_days,
        "truncated": report.truncated,
        "totals": _totals(report.totals),
        "tiers": [_tier(tier) for tier in report.tiers],
        "targets": [_target(target) for target in report.targets],
        # sorted: where a label came from (source, target, path) must not change the bytes
        "labels": dict(sorted(report.labels.items())),
    }


def render_json(report: ImpactReport) -> str:
    data = report_to_json(report)
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _totals(totals: Totals) -> dict[str, Any]:
    return {
        "affected": totals.affected,
        "exposureAtRisk": totals.exposure_at_risk,
        "predictedBreaches": totals.predicted_breaches,
        "byTier": dict(totals.by_tier),
    }


def _tier(tier: TierInfo) -> dict[str, Any]:
    return {"tier": tier.tier, "label": tier.label, "rule": tier.rule, "formula": tier.formula}


def _target(target: RankedTarget) -> dict[str, Any]:
    return {
        "rank": target.rank,
        "target": target.target,
        "label": target.label,
        "tier": target.tier,
        "tierLabel": target.tier_label,
        "tierRule": target.tier_rule,
        "tierFormula": target.tier_formula,
        "score": target.score,
        "components": [_component(component) for component in target.components],
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


def report_from_json(data: dict[str, Any]) -> ImpactReport:
    """The report :func:`report_to_json` wrote: ``report_from_json(report_to_json(r))``
    equals ``r`` once its times are in UTC."""
    return ImpactReport(
        policy=data["policy"],
        registry_version=data["registryVersion"],
        source=data["source"],
        source_label=data["sourceLabel"],
        delay_days=data["delayDays"],
        as_of=_moment(data["asOf"]),
        targets=tuple(_target_from(target) for target in data["targets"]),
        totals=Totals(
            affected=data["totals"]["affected"],
            exposure_at_risk=data["totals"]["exposureAtRisk"],
            predicted_breaches=data["totals"]["predictedBreaches"],
            by_tier=dict(data["totals"]["byTier"]),
        ),
        truncated=data["truncated"],
        policy_description=data["policyDescription"],
        tiers=tuple(
            TierInfo(tier["tier"], tier["label"], tier["rule"], tier["formula"])
            for tier in data["tiers"]
        ),
        labels=dict(data["labels"]),
        policy_revision=data["policyRevision"],
        currency=data["currency"],
        signals=tuple(data["signals"]),
        as_of_is_now=data["asOfIsNow"],
    )


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _target_from(data: dict[str, Any]) -> RankedTarget:
    deadline = data["slaDeadline"]
    return RankedTarget(
        rank=data["rank"],
        target=data["target"],
        label=data["label"],
        tier=data["tier"],
        tier_label=data["tierLabel"],
        tier_rule=data["tierRule"],
        tier_formula=data["tierFormula"],
        score=data["score"],
        components=tuple(
            Component(c["name"], c["value"], c["weight"], c["contribution"], c["reason"])
            for c in data["components"]
        ),
        sla_buffer_days=data["slaBufferDays"],
        sla_deadline=None if deadline is None else _moment(deadline),
        sla_entity=data["slaEntity"],
        breach_predicted=data["breachPredicted"],
        complaints=data["complaints"],
        exposure=data["exposure"],
        exposure_entities=data["exposureEntities"],
        path_count=data["pathCount"],
        paths=tuple(tuple(path) for path in data["paths"]),
        actions=tuple(data["actions"]),
        explanation=data["explanation"],
    )
