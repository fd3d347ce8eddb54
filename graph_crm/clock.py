"""Now, in UTC: read by the store, the services and the API, never by the pure core.

The pure core (``model``, ``impact``) takes the time as a parameter; the layers contract
keeps this module out of its reach.
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, in UTC, at the microsecond precision every backend keeps."""
    return datetime.now(UTC)
