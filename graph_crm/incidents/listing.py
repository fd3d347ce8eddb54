"""Listing incidents: a checked request, keyset cursors over ``(openedAt, id)``, pages
(pure). Lists are newest first: the incident opened last comes first.

>>> query = check_incident_query(status=["OPEN"], source="Warehouse:RTM-02", first=10)
>>> query.statuses, query.source, query.first, query.after
(('OPEN',), 'Warehouse:RTM-02', 10, None)
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from graph_crm.errors import InvalidInput
from graph_crm.incidents.incident import Incident, IncidentStatus
from graph_crm.model.graph import Page
from graph_crm.model.records import global_id, parse_global_id
from graph_crm.model.values import datetime_to_text

#: The largest page of incidents one call reads.
MAX_PAGE: Final = 200
_CURSOR_TAG: Final = "incident"


@dataclass(frozen=True, slots=True)
class IncidentQuery:
    #: Only incidents in one of these statuses (None: every status).
    statuses: tuple[str, ...] | None
    #: Only incidents of this source, a global id (None: every source).
    source: str | None
    first: int
    #: Where the previous page ended: ``(openedAt text, id)``.
    after: tuple[str, str] | None


def check_incident_query(
    *,
    status: Sequence[IncidentStatus | str] | None = None,
    source: str | None = None,
    first: int = 50,
    after: str | None = None,
) -> IncidentQuery:
    """The request checked: statuses known, the source a global id, ``first`` in
    1..:data:`MAX_PAGE`, ``after`` a cursor of this list; else InvalidInput at its name."""
    statuses = None
    if status is not None:
        if isinstance(status, str) or not all(isinstance(s, str) for s in status):
            raise InvalidInput("status must be a list of statuses", path=("status",))
        known = {s.value for s in IncidentStatus}
        unknown = [s for s in status if s not in known]
        if unknown:
            raise InvalidInput(
                f"unknown status {str(unknown[0])[:40]!r}: one of {', '.join(sorted(known))}",
                path=("status",),
            )
        statuses = tuple(sorted({str(s) for s in status}))
    if source is not None:
        source = global_id(*parse_global_id(source, ("source",)))
    if isinstance(first, bool) or not isinstance(first, int) or not 1 <= first <= MAX_PAGE:
        raise InvalidInput(f"first must be a whole number from 1 to {MAX_PAGE}", path=("first",))
    return IncidentQuery(
        statuses, source, first, None if after is None else decode_incident_cursor(after)
    )


def incident_cursor(incident: Incident) -> str:
    """An opaque cursor right after ``incident`` in the list's order."""
    payload = [_CURSOR_TAG, datetime_to_text(incident.opened_at), incident.id]
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_incident_cursor(cursor: object) -> tuple[str, str]:
    """``(openedAt text, id)`` from :func:`incident_cursor`; InvalidInput at ``after``."""
    bad = InvalidInput("the cursor is not valid for the incident list", path=("after",))
    if not isinstance(cursor, str) or len(cursor) > 512:
        raise bad
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        tag, opened_at, incident_id = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError, binascii.Error):
        raise bad from None
    if tag != _CURSOR_TAG or not isinstance(opened_at, str) or not isinstance(incident_id, str):
        raise bad
    return opened_at, incident_id


def incident_page(rows: Sequence[Incident], total: int, first: int) -> Page[Incident]:
    """A page from up to ``first + 1`` incidents read in order (one more: there is more)."""
    items = list(rows[:first])
    cursor = incident_cursor(items[-1]) if items else None
    return Page(items, total, cursor, len(rows) > first)
