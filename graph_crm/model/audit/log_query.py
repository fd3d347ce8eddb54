"""Reading the audit log: a checked request, keyset cursors over ``(at, id)``, pages (pure).

A cursor is a position in ``(at, id)`` order, not tied to a direction: ``after`` reads the
records past it in the order asked (older ones when newest first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from graph_crm.errors import InvalidInput
from graph_crm.model.audit.record import AuditAction, AuditKind, AuditRecord
from graph_crm.model.graph import Page
from graph_crm.model.query import check_page_size
from graph_crm.model.timed_cursor import decode_timed_cursor, timed_cursor
from graph_crm.model.values import datetime_to_text

_CURSOR_TAG: Final = "audit"
_MAX_FILTER_LENGTH: Final = 512


@dataclass(frozen=True)
class AuditQuery:
    """A checked ``audit_log`` request: ``since`` as stored text ('' for the beginning),
    ``until`` likewise (None for no end); ``newest_first`` reverses the ``(at, id)`` order."""

    since: str
    actor: str | None
    type_name: str | None
    first: int
    after: tuple[str, str] | None
    until: str | None = None
    kind: str | None = None
    action: str | None = None
    newest_first: bool = False


def _moment(name: str, value: datetime | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be a timezone-aware datetime", path=(name,))
    return datetime_to_text(value)


def _one_of(name: str, value: str | None, allowed: list[str]) -> str | None:
    if value is not None and value not in allowed:
        raise InvalidInput(f"{name} must be one of {', '.join(allowed)}", path=(name,))
    return value


def check_audit_query(
    *,
    since: datetime | None,
    actor: str | None,
    type_name: str | None,
    first: int,
    after: str | None,
    until: datetime | None = None,
    kind: str | None = None,
    action: str | None = None,
    newest_first: bool = False,
) -> AuditQuery:
    """Check the arguments of ``audit_log``: ``since`` inclusive, ``until`` exclusive and
    later than ``since``; ``kind`` and ``action`` among the recorded ones.

    >>> check_audit_query(since=None, actor="cli", type_name=None, first=10, after=None)
    AuditQuery(since='', actor='cli', type_name=None, first=10, after=None, until=None, \
kind=None, action=None, newest_first=False)
    >>> check_audit_query(since=datetime(2026, 1, 1), actor=None, type_name=None, first=1,
    ...                   after=None)
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: since must be a timezone-aware datetime...
    >>> check_audit_query(since=None, actor=None, type_name=None, first=1, after=None,
    ...                   kind="apiKey') OR 1=1 --")
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: kind must be one of entityType, ...
    """
    since_text = _moment("since", since)
    until_text = _moment("until", until)
    if until_text is not None and since_text is not None and until_text <= since_text:
        raise InvalidInput("until must be later than since", path=("until",))
    for name, value in (("actor", actor), ("type", type_name)):
        if value is not None and (not isinstance(value, str) or len(value) > _MAX_FILTER_LENGTH):
            raise InvalidInput(f"{name} must be text of at most 512 characters", path=(name,))
    return AuditQuery(
        since=since_text or "",
        actor=actor,
        type_name=type_name,
        first=check_page_size(first),
        after=None if after is None else decode_audit_cursor(after),
        until=until_text,
        kind=_one_of("kind", kind, [k.value for k in AuditKind]),
        action=_one_of("action", action, [a.value for a in AuditAction]),
        newest_first=newest_first,
    )


def audit_cursor(record: AuditRecord) -> str:
    """An opaque cursor right after ``record`` in ``(at, id)`` order."""
    return timed_cursor(_CURSOR_TAG, record.at, record.id)


def decode_audit_cursor(cursor: str) -> tuple[str, str]:
    """``(at text, id)`` from :func:`audit_cursor`; InvalidInput for anything else."""
    return decode_timed_cursor(_CURSOR_TAG, cursor, "the audit log")


def audit_page(rows: Sequence[AuditRecord], total: int, first: int) -> Page[AuditRecord]:
    """A page from up to ``first + 1`` rows read in order (the extra one says there is more)."""
    items = list(rows[:first])
    cursor = audit_cursor(items[-1]) if items else None
    return Page(items, total, cursor, len(rows) > first)
