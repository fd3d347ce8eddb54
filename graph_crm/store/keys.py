"""What every backend checks before it stores an API key, and how it lists them (pure).

Keys are stored as :meth:`ApiKey.to_record` gives them: datetimes as ISO text with their
offset. Text with mixed offsets does not sort by time, so lists are ordered here, on
the decoded datetimes; that is why a naive datetime, which cannot be compared with an
aware one, is refused before it is stored.

>>> from datetime import UTC, datetime
>>> checked_at(datetime(2026, 12, 1, tzinfo=UTC), "createdAt").isoformat()
'2026-12-01T00:00:00+00:00'
>>> checked_at(datetime(2026, 12, 1), "createdAt")
Traceback (most recent call last):
...
graph_crm.errors.InvalidInput: INVALID_INPUT: createdAt must be a timezone-aware datetime...
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from graph_crm.auth.keys import ApiKey
from graph_crm.errors import InvalidInput


def checked_at(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidInput(f"{name} must be a timezone-aware datetime", path=(name,))
    return value


def api_key_record(key: ApiKey) -> dict[str, Any]:
    """The record to store for ``key`` (see :meth:`ApiKey.to_record`), once checked."""
    if not isinstance(key, ApiKey):
        raise InvalidInput("an API key must be an ApiKey", path=("key",))
    checked_at(key.created_at, "createdAt")
    if key.revoked_at is not None:
        checked_at(key.revoked_at, "revokedAt")
    return key.to_record()


def oldest_first(keys: Iterable[ApiKey]) -> list[ApiKey]:
    return sorted(keys, key=lambda key: (key.created_at, key.id))
