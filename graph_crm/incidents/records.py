"""Incidents and versions as the JSON-able records every backend stores, and back (pure).

Times are fixed-width UTC text (text order is time order); a version's reports are the
impact report's own JSON form (:func:`~graph_crm.impact.render.json_form.report_to_json`).
``from_record(to_record(x)) == x`` for times in UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graph_crm.impact.render.json_form import report_from_json, report_to_json
from graph_crm.incidents.checklist import ChecklistItem
from graph_crm.incidents.diff import DiffTarget, DiffTierChange, IncidentDiff, PolicyDiff
from graph_crm.incidents.incident import Incident, IncidentStatus, Note
from graph_crm.incidents.version import IncidentVersion, VersionReason
from graph_crm.model.values import datetime_to_text


def _text(moment: datetime | None) -> str | None:
    return None if moment is None else datetime_to_text(moment)


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def incident_to_record(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "source": incident.source,
        "delayDays": incident.delay_days,
        "startsAt": _text(incident.starts_at),
        "note": incident.note,
        "status": incident.status.value,
        "openedAt": _text(incident.opened_at),
        "openedBy": incident.opened_by,
        "updatedAt": _text(incident.updated_at),
        "revision": incident.revision,
        "version": incident.version,
        "owner": incident.owner,
        "notes": [
            {"at": _text(note.at), "author": note.author, "text": note.text}
            for note in incident.notes
        ],
        "checklist": [
            {
                "target": item.target,
                "label": item.label,
                "action": item.action,
                "done": item.done,
                "by": item.by,
                "at": _text(item.at),
            }
            for item in incident.checklist
        ],
        "acknowledgedAt": _text(incident.acknowledged_at),
        "acknowledgedBy": incident.acknowledged_by,
        "resolvedAt": _text(incident.resolved_at),
        "resolvedBy": incident.resolved_by,
    }


def incident_from_record(record: dict[str, Any]) -> Incident:
    return Incident(
        id=record["id"],
        source=record["source"],
        delay_days=record["delayDays"],
        starts_at=_at(record["startsAt"]),
        note=record["note"],
        status=IncidentStatus(record["status"]),
        opened_at=_at(record["openedAt"]),
        opened_by=record["openedBy"],
        updated_at=_at(record["updatedAt"]),
        revision=record["revision"],
        version=record["version"],
        owner=record["owner"],
        notes=tuple(Note(_at(n["at"]), n["author"], n["text"]) for n in record["notes"]),
        checklist=tuple(
            ChecklistItem(
                i["target"], i["label"], i["action"], i["done"], i["by"], _moment(i["at"])
            )
            for i in record["checklist"]
        ),
        acknowledged_at=_moment(record["acknowledgedAt"]),
        acknowledged_by=record["acknowledgedBy"],
        resolved_at=_moment(record["resolvedAt"]),
        resolved_by=record["resolvedBy"],
    )


def _diff_target(target: DiffTarget) -> dict[str, Any]:
    return {
        "target": target.target,
        "label": target.label,
        "tier": target.tier,
        "rank": target.rank,
    }


def diff_to_record(diff: IncidentDiff) -> list[dict[str, Any]]:
    return [
        {
            "policy": policy.policy,
            "entered": [_diff_target(target) for target in policy.entered],
            "left": [_diff_target(target) for target in policy.left],
            "tierChanges": [
                {
                    "target": change.target,
                    "label": change.label,
                    "fromTier": change.from_tier,
                    "toTier": change.to_tier,
                    "fromRank": change.from_rank,
                    "toRank": change.to_rank,
                    "reason": change.reason,
                }
                for change in policy.tier_changes
            ],
            "unchanged": policy.unchanged,
            "complete": policy.complete,
        }
        for policy in diff.policies
    ]


def _diff_from_record(policies: list[dict[str, Any]]) -> IncidentDiff:
    def targets(rows: list[dict[str, Any]]) -> tuple[DiffTarget, ...]:
        return tuple(DiffTarget(r["target"], r["label"], r["tier"], r["rank"]) for r in rows)

    return IncidentDiff(
        tuple(
            PolicyDiff(
                policy=p["policy"],
                entered=targets(p["entered"]),
                left=targets(p["left"]),
                tier_changes=tuple(
                    DiffTierChange(
                        c["target"],
                        c["label"],
                        c["fromTier"],
                        c["toTier"],
                        c["fromRank"],
                        c["toRank"],
                        c["reason"],
                    )
                    for c in p["tierChanges"]
                ),
                unchanged=p["unchanged"],
                complete=p["complete"],
            )
            for p in policies
        )
    )


def version_to_record(version: IncidentVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "createdAt": _text(version.created_at),
        "reason": version.reason.value,
        "delayDays": version.delay_days,
        "reports": [report_to_json(report) for report in version.reports],
        "diff": diff_to_record(version.diff),
        "changes": list(version.changes),
    }


def version_from_record(record: dict[str, Any]) -> IncidentVersion:
    return IncidentVersion(
        number=record["number"],
        created_at=_at(record["createdAt"]),
        reason=VersionReason(record["reason"]),
        delay_days=record["delayDays"],
        reports=tuple(report_from_json(report) for report in record["reports"]),
        diff=_diff_from_record(record["diff"]),
        changes=tuple(record.get("changes", ())),
    )
