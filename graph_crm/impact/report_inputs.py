"""A report request's own inputs, checked at the edge: delay, as-of time, limit (pure)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time
from typing import Any, Final

from graph_crm.errors import InvalidInput

#: A delay longer than a year is a closure, not a delay: refuse it as a likely typo.
MAX_DELAY_DAYS: Final = 365.0
MAX_LIMIT: Final = 10_000
DEFAULT_LIMIT: Final = 50
#: No delay given: 0 days, which asks who the source reaches (and what a delay would hit).
DEFAULT_DELAY_DAYS: Final = 0.0
_EARLIEST: Final = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST: Final = datetime(2200, 1, 1, tzinfo=UTC)


def check_delay(value: Any) -> float:
    """A delay in days: a finite number in [0, 365].

    >>> check_delay(6), check_delay("2.5")
    (6.0, 2.5)
    """
    if isinstance(value, bool):
        raise InvalidInput("delayDays is a number of days", path=("delayDays",))
    try:
        days = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(
            f"delayDays is a number of days, not {str(value)[:40]!r}", path=("delayDays",)
        ) from None
    if not math.isfinite(days) or not 0 <= days <= MAX_DELAY_DAYS:
        raise InvalidInput(
            f"delayDays must lie between 0 and {MAX_DELAY_DAYS:.0f}, not {str(value)[:40]}",
            path=("delayDays",),
        )
    return days + 0.0  # -0.0 -> 0.0: a report never says "delay -0d"


def parse_as_of(value: str | datetime | date | None, *, now: datetime | None = None) -> datetime:
    """The report's reference time in UTC; ``None`` means ``now``, which the caller reads
    from its clock (the pure core reads none).

    A date means its midnight UTC; a date-time needs a zone (``Z`` or ``+02:00``).

    >>> parse_as_of("2026-11-23"), parse_as_of("2026-11-23T10:30:00+01:00")
    (datetime.datetime(2026, 11, 23, 0, 0, tzinfo=datetime.timezone.utc), \
datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.timezone.utc))
    """
    if value is None:
        if now is None:
            raise TypeError("parse_as_of(None) needs now=: the caller's clock")
        return now.astimezone(UTC)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0), tzinfo=UTC)
    elif isinstance(value, str) and len(value) <= 40:
        moment = _parse_text(value.strip())
    else:
        raise InvalidInput(
            "asOf is an ISO 8601 date or date-time, e.g. 2026-11-23T09:00:00Z", path=("asOf",)
        )
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(
            f"asOf {str(value)[:40]!r} needs a time zone, e.g. 2026-11-23T09:00:00Z",
            path=("asOf",),
        )
    out_of_range = InvalidInput("asOf must lie between 1970 and 2200", path=("asOf",))
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # year 1 or 9999, shifted off the calendar by its offset
        raise out_of_range from None
    if not _EARLIEST <= moment < _LATEST:
        raise out_of_range
    return moment


def _parse_text(text: str) -> datetime:
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
        return datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"asOf {text[:40]!r} is not an ISO 8601 date or date-time; "
            "write 2026-11-23 or 2026-11-23T09:00:00Z",
            path=("asOf",),
        ) from None


def check_limit(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise InvalidInput(f"limit must be a whole number from 1 to {MAX_LIMIT}", path=("limit",))
    return value
