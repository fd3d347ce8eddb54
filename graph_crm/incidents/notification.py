"""What a webhook is told of one change of the feed (pure): the incident, the version
(its number and reason), the totals, the top rows of each policy's ranking, and the diff
from the version before, as JSON.

A change that stored no version (acknowledged, assigned, …) carries the incident's
latest version, so every notification is whole on its own. ``seq`` is the change's
place in the feed: notifications may arrive out of order (retries), and a receiver
that cares orders them by it.
"""

from __future__ import annotations

import json
from typing import Any, Final

from graph_crm.incidents.feed import IncidentChange
from graph_crm.incidents.incident import Incident
from graph_crm.incidents.records import diff_to_record
from graph_crm.incidents.version import IncidentVersion
from graph_crm.model.values import datetime_to_text

#: The rows of each policy's ranking a notification carries.
TOP_ROWS: Final = 10
EVENT: Final = "incident.changed"


def notification(
    delivery_id: str, change: IncidentChange, incident: Incident, version: IncidentVersion
) -> dict[str, Any]:
    """The notification of ``change`` (after which the incident is ``incident``, its
    version ``version``) sent as delivery ``delivery_id``."""
    totals = version.totals
    return {
        "event": EVENT,
        "delivery": delivery_id,
        "seq": change.seq,
        "change": {
            "reason": change.reason,
            "revision": change.revision,
            "storedVersion": change.version,
            "at": datetime_to_text(change.at),
        },
        "incident": {
            "id": incident.id,
            "source": incident.source,
            "sourceType": incident.source_type,
            "status": incident.status.value,
            "delayDays": incident.delay_days,
            "owner": incident.owner,
            "openedAt": datetime_to_text(incident.opened_at),
            "updatedAt": datetime_to_text(incident.updated_at),
            "revision": incident.revision,
        },
        "version": {
            "number": version.number,
            "reason": version.reason.value,
            "createdAt": datetime_to_text(version.created_at),
            "delayDays": version.delay_days,
        },
        "totals": {
            "affected": totals.affected,
            "predictedBreaches": totals.predicted_breaches,
            "exposureAtRisk": totals.exposure_at_risk,
            "byTier": dict(sorted(totals.by_tier.items())),
        },
        "topRows": [
            {
                "policy": report.policy,
                "rank": target.rank,
                "target": target.target,
                "label": target.label,
                "tier": target.tier,
                "score": target.score,
                "why": target.explanation,
            }
            for report in version.reports
            for target in report.targets[:TOP_ROWS]
        ],
        "diff": diff_to_record(version.diff),
    }


def notification_body(body: dict[str, Any]) -> bytes:
    """The bytes sent and signed: compact JSON, keys sorted (the same body, the same bytes)."""
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
