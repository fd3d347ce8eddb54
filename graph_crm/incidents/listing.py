"""Listing incidents: a checked request, keyset cursors over ``(openedAt, id)``, pages
(pure). Lists are newest first: the incident opened last comes first.

>>> query = check_incident_query(status=["OPEN"], source="Warehouse:RTM-02", first=10)
>>> query.statuses, query.source, query.first, query.after
(('OPEN',), 'Warehouse:RTM-02', 10, None)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from graph_crm.errors import InvalidInput
from graph_crm.incidents.incident import Incident, IncidentStatus
from graph_crm.model.graph import Page
from graph_crm.model.records import global_id, parse_global_id
from graph_crm.model.timed_cursor import decode_timed_cursor, timed_cursor

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
    return timed_cursor(_CURSOR_TAG, incident.opened_at, incident.id)


def decode_incident_cursor(cursor: object) -> tuple[str, str]:
    """``(openedAt text, id)`` from :func:`incident_cursor`; InvalidInput at ``after``."""
    return decode_timed_cursor(_CURSOR_TAG, cursor, "the incident list")


def incident_page(rows: Sequence[Incident], total: int, first: int) -> Page[Incident]:
    """A page from up to ``first + 1`` incidents read in order (one more: there is more)."""
    items = list(rows[:first])
    cursor = incident_cursor(items[-1]) if items else None
    return Page(items, total, cursor, len(rows) > first)
