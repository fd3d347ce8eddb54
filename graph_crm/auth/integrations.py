"""Integrations: systems (customs brokers, TMS/WMS) that post signed events to
``POST /events``, each with its own secret, managed by admins like API keys.

An HMAC needs the secret itself on both sides, so unlike a key's (of which only a hash
is kept) it is stored as it is, beside the graph: whoever can read the store can sign
events (the store is trusted, see docs/security.md). It is shown once, when made, and
no API, log line or audit record returns it again.

A request is signed over ``"<timestamp>.<body>"``: the timestamp is part of what is
signed, so it cannot be moved forward to replay an old body past the window.

>>> integration = new_integration("broker", ["disruption"], created_by="admin", now=_T)
>>> header = signature(integration.secret, "1764547200", b'{"id": "e-1"}')
>>> header.startswith("sha256="), signature_matches(
...     integration.secret, "1764547200", b'{"id": "e-1"}', header)
(True, True)
>>> signature_matches(integration.secret, "1764547201", b'{"id": "e-1"}', header)
False
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from graph_crm.auth.keys import KEY_NAME_PATTERN
from graph_crm.errors import InvalidInput

INTEGRATION_ID_PATTERN: Final = re.compile(r"[0-9a-f]{16}")
#: The event types an integration may be allowed to post.
EVENT_TYPES: Final = ("disruption",)
_T: Final = datetime(2026, 12, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Integration:
    id: str
    name: str
    #: The event types it may post (a subset of EVENT_TYPES).
    event_types: tuple[str, ...]
    #: The HMAC secret (see the module's note on why it is not hashed).
    secret: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def actor(self) -> str:
        """How what its events change is recorded: 'integration:<id> (<name>)'."""
        return f"integration:{self.id} ({self.name})"

    def revoked(self, at: datetime) -> Integration:
        return replace(self, revoked_at=at)

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "eventTypes": list(self.event_types),
            "secret": self.secret,
            "createdAt": self.created_at.isoformat(),
            "createdBy": self.created_by,
            "revokedAt": None if self.revoked_at is None else self.revoked_at.isoformat(),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Integration:
        revoked = record.get("revokedAt")
        return cls(
            id=record["id"],
            name=record["name"],
            event_types=tuple(record["eventTypes"]),
            secret=record["secret"],
            created_at=datetime.fromisoformat(record["createdAt"]),
            created_by=record["createdBy"],
            revoked_at=None if revoked is None else datetime.fromisoformat(revoked),
        )


def check_integration_id(value: object) -> str:
    if not isinstance(value, str) or INTEGRATION_ID_PATTERN.fullmatch(value) is None:
        raise InvalidInput(
            f"an integration id is 16 hex digits, not {str(value)[:40]!r}", path=("id",)
        )
    return value


def checked_event_types(event_types: Iterable[object]) -> tuple[str, ...]:
    if isinstance(event_types, str):
        event_types = [event_types]
    chosen = list(event_types)
    for index, value in enumerate(chosen):
        if value not in EVENT_TYPES:
            raise InvalidInput(
                f"{str(value)[:40]!r} is not an event type ({', '.join(EVENT_TYPES)})",
                path=("eventTypes", index),
            )
    if not chosen:
        raise InvalidInput("name at least one event type", path=("eventTypes",))
    return tuple(sorted(set(str(value) for value in chosen)))


def new_integration(
    name: object,
    event_types: Iterable[object],
    *,
    created_by: str,
    now: datetime | None = None,
) -> Integration:
    """A new integration with a fresh id and 256-bit secret. A name that is not 1-63
    letters, digits, spaces or ``. _ @ -`` is InvalidInput at ``name``."""
    if not isinstance(name, str) or KEY_NAME_PATTERN.fullmatch(name) is None:
        raise InvalidInput(
            "an integration's name is 1-63 letters, digits, spaces or . _ @ -, starting "
            "with a letter or digit",
            path=("name",),
        )
    return Integration(
        id=secrets.token_hex(8),
        name=name,
        event_types=checked_event_types(event_types),
        secret=secrets.token_urlsafe(32),
        created_at=now or datetime.now(UTC),
        created_by=created_by,
    )


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-GraphCRM-Signature`` header of ``body`` sent at ``timestamp``."""
    message = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """Whether ``header`` signs ``body`` at ``timestamp`` (compared in constant time)."""
    if not timestamp.isascii():
        return False
    expected = signature(secret, timestamp, body).encode("ascii")
    return hmac.compare_digest(expected, header.encode("utf-8", "replace"))
