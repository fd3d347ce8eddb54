"""Opaque keyset cursors over ``(time, id)``, for the lists ordered that way (the audit
log, incidents): a tag naming the list, the time as fixed-width UTC text, the id.

>>> from datetime import UTC, datetime
>>> cursor = timed_cursor("audit", datetime(2026, 12, 1, tzinfo=UTC), "ab12")
>>> decode_timed_cursor("audit", cursor, "the audit log")
('2026-12-01T00:00:00.000000Z', 'ab12')
>>> decode_timed_cursor("incident", cursor, "the incident list")
Traceback (most recent call last):
...
graph_crm.errors.InvalidInput: INVALID_INPUT: the cursor is not valid for the incident list...
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Final

from graph_crm.errors import InvalidInput
from graph_crm.model.values import datetime_to_text

_MAX_CURSOR_LENGTH: Final = 512


def timed_cursor(tag: str, at: datetime, item_id: str) -> str:
    """An opaque cursor right after the item ``item_id`` at ``at`` in ``tag``'s list."""
    raw = json.dumps([tag, datetime_to_text(at), item_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_timed_cursor(tag: str, cursor: object, what: str) -> tuple[str, str]:
    """``(time text, id)`` from a :func:`timed_cursor` of ``tag``'s list; anything else is
    InvalidInput at ``after`` (``what`` names the list in its message)."""
    bad = InvalidInput(f"the cursor is not valid for {what}", path=("after",))
    if not isinstance(cursor, str) or len(cursor) > _MAX_CURSOR_LENGTH:
        raise bad
    try:
        found, at, item_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):
        raise bad from None
    if found != tag or not isinstance(at, str) or not isinstance(item_id, str):
        raise bad
    return at, item_id
