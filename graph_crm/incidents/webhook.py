"""Outbound webhooks (pure): where the incidents' changes are POSTed, signed with a
secret shown once, for the changes a :class:`FeedFilter` lets through.

A webhook starts at the feed's head when it is made (``start_seq``): it is told of
what comes next, not of the past. Each notification is signed over
``"<unix time>.<body>"`` with HMAC-SHA256; the header carries both, so a receiver can
refuse an old body replayed later (docs/webhooks.md shows the check).

>>> header = sign("s3cret", 1764547200, b'{"seq": 1}')
>>> header.startswith("t=1764547200,v1=")
True
>>> signature_valid("s3cret", header, b'{"seq": 1}', now=1764547260, tolerance=300)
True
>>> signature_valid("s3cret", header, b'{"seq": 2}', now=1764547260, tolerance=300)
False
>>> signature_valid("s3cret", header, b'{"seq": 1}', now=1764557260, tolerance=300)
False
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from graph_crm.errors import InvalidInput
from graph_crm.incidents.feed_filter import FeedFilter, check_feed_filter
from graph_crm.model.values import datetime_to_text

WEBHOOK_ID_PATTERN: Final = re.compile(r"[0-9a-f]{16}")
WEBHOOK_NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@-]{0,62}")
MAX_URL_LENGTH: Final = 2048
SIGNATURE_HEADER: Final = "X-Graph-CRM-Signature"
DELIVERY_HEADER: Final = "X-Graph-CRM-Delivery"
_URL: Final = re.compile(r"(?P<scheme>https?)://(?P<authority>[^/?#]+)(?P<rest>[/?].*)?")
_AUTHORITY: Final = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^:\[\]]+)(?::(?P<port>[0-9]{1,5}))?")
#: DNS labels (an IPv4 address is one such name too).
_HOST: Final = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?"
)


@dataclass(frozen=True, slots=True)
class Webhook:
    id: str
    name: str
    url: str
    #: The HMAC secret, kept as it is (HMAC needs it; see auth/integrations.py's note).
    secret: str
    filter: FeedFilter
    created_at: datetime
    created_by: str
    #: The feed's head when it was made: it is told of changes numbered after it.
    start_seq: int
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def revoked(self, at: datetime) -> Webhook:
        return replace(self, revoked_at=at)

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "url": self.url,
            "secret": self.secret,
            "filter": self.filter.to_record(),
            "createdAt": datetime_to_text(self.created_at),
            "createdBy": self.created_by,
            "startSeq": self.start_seq,
            "revokedAt": None if self.revoked_at is None else datetime_to_text(self.revoked_at),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Webhook:
        revoked = record.get("revokedAt")
        return cls(
            id=record["id"],
            name=record["name"],
            url=record["url"],
            secret=record["secret"],
            filter=check_feed_filter(record["filter"]),
            created_at=datetime.fromisoformat(record["createdAt"]).astimezone(UTC),
            created_by=record["createdBy"],
            start_seq=int(record["startSeq"]),
            revoked_at=None if revoked is None else datetime.fromisoformat(revoked).astimezone(UTC),
        )


def check_webhook_id(value: object) -> str:
    if not isinstance(value, str) or WEBHOOK_ID_PATTERN.fullmatch(value) is None:
        raise InvalidInput(f"a webhook id is 16 hex digits, not {str(value)[:40]!r}", path=("id",))
    return value


def check_webhook_url(value: object) -> str:
    """An absolute http(s) URL: a host (a DNS name, an IPv4 or a bracketed IPv6 address),
    an optional port, path and query; no user or password, no fragment; at most
    MAX_URL_LENGTH printable ASCII characters. Else InvalidInput at ``url``.

    >>> check_webhook_url("https://hooks.example.com:8443/crm?team=risk")
    'https://hooks.example.com:8443/crm?team=risk'
    >>> check_webhook_url("https://user:pw@example.com/")
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: a webhook URL carries no user or password (at url)
    """

    def refuse(message: str) -> InvalidInput:
        return InvalidInput(message, path=("url",))

    if not isinstance(value, str) or not value:
        raise refuse("a webhook URL is text such as 'https://hooks.example.com/crm'")
    if len(value) > MAX_URL_LENGTH:
        raise refuse(f"a webhook URL is at most {MAX_URL_LENGTH} characters")
    if not value.isascii() or not value.isprintable() or " " in value:
        raise refuse("a webhook URL is printable ASCII without spaces (percent-encode the rest)")
    parts = _URL.fullmatch(value)
    if parts is None:
        raise refuse("a webhook URL is http:// or https://, a host, then a path")
    authority = parts["authority"]
    if "@" in authority:
        raise refuse("a webhook URL carries no user or password")
    if "#" in value:
        raise refuse("a webhook URL has no #fragment")
    host = _AUTHORITY.fullmatch(authority)
    if host is None or not _is_host(host["host"]) or not _is_port(host["port"]):
        raise refuse("a webhook URL names a host (a DNS name or an IP address) and a valid port")
    return value


def _is_host(host: str) -> bool:
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return host.endswith("]")
    return len(host) <= 253 and _HOST.fullmatch(host) is not None


def _is_port(port: str | None) -> bool:
    return port is None or (port.isdigit() and 1 <= int(port) <= 65535)


def new_webhook(
    name: object,
    url: object,
    filter_record: object,
    *,
    webhook_id: str,
    secret: str,
    created_by: str,
    now: datetime,
    start_seq: int,
) -> Webhook:
    """A new webhook; a bad name, URL or filter is InvalidInput at ``name`` / ``url`` /
    ``filter.<field>``. Its id and secret are the caller's (fresh random values)."""
    if not isinstance(name, str) or WEBHOOK_NAME_PATTERN.fullmatch(name) is None:
        raise InvalidInput(
            "a webhook's name is 1-63 letters, digits, spaces or . _ @ -, starting with a "
            "letter or digit",
            path=("name",),
        )
    checked_url = check_webhook_url(url)
    try:
        wanted = check_feed_filter(filter_record)  # type: ignore[arg-type]
    except InvalidInput as error:
        raise type(error)(error.message, path=("filter", *error.path)) from None
    return Webhook(
        id=check_webhook_id(webhook_id),
        name=name,
        url=checked_url,
        secret=secret,
        filter=wanted,
        created_at=now,
        created_by=created_by,
        start_seq=start_seq,
    )


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Graph-CRM-Signature`` header of ``body`` sent at ``timestamp`` (unix s)."""
    return f"t={timestamp},v1={_mac(secret, timestamp, body)}"


def signature_valid(secret: str, header: str, body: bytes, *, now: int, tolerance: int) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within ``tolerance``
    seconds of ``now`` (compared in constant time): what a receiver checks."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    timestamp, given = fields.get("t", ""), fields.get("v1", "")
    if not timestamp.isdigit() or len(timestamp) > 12 or abs(now - int(timestamp)) > tolerance:
        return False
    expected = _mac(secret, int(timestamp), body)
    return hmac.compare_digest(expected.encode("ascii"), given.encode("utf-8", "replace"))
