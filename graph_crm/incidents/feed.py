"""The incidents' change feed (pure): every stored change of an incident, in the order
the store committed them.

Each incident write (opened, a new version, acknowledged, assigned, a note, an action
checked, resolved) appends one :class:`IncidentChange` in its own transaction, numbered
by a sequence the store keeps: a change numbered n is visible only once every change
before it is, so a reader that remembers the last number it saw (``after``) misses none
and sees none twice. Subscriptions and outbound webhooks read it; it holds no report,
only what changed, and the readers fetch the incident and version they name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from graph_crm.errors import InvalidInput
from graph_crm.model.values import datetime_to_text

#: The most changes one read of the feed returns.
MAX_FEED_READ: Final = 1000


@dataclass(frozen=True, slots=True)
class IncidentChange:
    """One stored change of an incident."""

    #: Its place in the feed: 1, 2, 3, … in commit order.
    seq: int
    incident_id: str
    #: The incident's revision after the change.
    revision: int
    #: The version the change stored, if it stored one (opened, reported, re-evaluated).
    version: int | None
    #: Why, as the audit record says it ("opened", "acknowledged", "delay updated", …).
    reason: str
    at: datetime


def change_row(
    incident_id: str, revision: int, version: int | None, reason: str, at: datetime
) -> dict[str, Any]:
    """What a backend stores for a change (it adds ``seq`` as it commits)."""
    return {
        "incidentId": incident_id,
        "revision": revision,
        "version": version,
        "reason": reason,
        "at": datetime_to_text(at),
    }


def change_from_row(row: dict[str, Any]) -> IncidentChange:
    return IncidentChange(
        seq=int(row["seq"]),
        incident_id=str(row["incidentId"]),
        revision=int(row["revision"]),
        version=None if row["version"] is None else int(row["version"]),
        reason=str(row["reason"]),
        at=datetime.fromisoformat(str(row["at"])).astimezone(UTC),
    )


def check_feed_read(after: object, limit: object) -> tuple[int, int]:
    """``after`` (0 or more) and ``limit`` (1 to MAX_FEED_READ), checked."""
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise InvalidInput("after must be a whole number, 0 or more", path=("after",))
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_FEED_READ:
        raise InvalidInput(
            f"limit must be a whole number from 1 to {MAX_FEED_READ}", path=("limit",)
        )
    return after, limit
