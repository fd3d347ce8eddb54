"""API keys: random bearer tokens, shown once, stored only as a hash.

A token reads ``gcrm_<id>_<secret>``: the id finds the stored key (it is not secret),
the secret (256 random bits) is checked against the stored SHA-256 hash in constant
time. A fast hash is enough here: the secret is random, not a password, so there is
nothing to guess from its hash.

>>> key, token = new_api_key("loader", Role.INTEGRATION, created_by="admin", now=_T)
>>> parse_token(token)[0] == key.id, verify(key, token), verify(key, token + "x")
(True, True, False)
>>> parse_token("Bearer abc")
Traceback (most recent call last):
...
graph_crm.auth.keys.Unauthenticated: UNAUTHENTICATED: the credentials are not a graph-crm API key
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Final

from graph_crm.auth.roles import Role, parse_role
from graph_crm.errors import GraphCrmError, InvalidInput

PREFIX: Final = "gcrm"
_TOKEN: Final = re.compile(r"gcrm_([0-9a-f]{16})_([A-Za-z0-9_-]{43})")
KEY_ID_PATTERN: Final = re.compile(r"[0-9a-f]{16}")
#: A key's name: what it is for ("nightly-erp-sync"), shown in lists and the audit trail.
KEY_NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._@-]{0,62}")
_T: Final = datetime(2026, 12, 1, tzinfo=UTC)


class Unauthenticated(GraphCrmError):
    """No credentials, or credentials that are not a live key (HTTP 401)."""

    code: ClassVar[str] = "UNAUTHENTICATED"


class Forbidden(GraphCrmError):
    """Authenticated, but the role may not do this (HTTP 403 / a FORBIDDEN error)."""

    code: ClassVar[str] = "FORBIDDEN"


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    role: Role
    secret_hash: str  # SHA-256 of the secret, hex
    created_at: datetime
    created_by: str
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def actor(self) -> str:
        """How changes made with this key are recorded: 'key:<id> (<name>)'."""
        return f"key:{self.id} ({self.name})"

    def revoked(self, at: datetime) -> ApiKey:
        return replace(self, revoked_at=at)

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "role": self.role.value,
            "secretHash": self.secret_hash,
            "createdAt": self.created_at.isoformat(),
            "createdBy": self.created_by,
            "revokedAt": None if self.revoked_at is None else self.revoked_at.isoformat(),
        }

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> ApiKey:
        revoked = data.get("revokedAt")
        return cls(
            id=str(data["id"]),
            name=str(data["name"]),
            role=Role(data["role"]),
            secret_hash=str(data["secretHash"]),
            created_at=datetime.fromisoformat(str(data["createdAt"])),
            created_by=str(data["createdBy"]),
            revoked_at=None if revoked is None else datetime.fromisoformat(str(revoked)),
        )


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def check_key_name(name: str) -> str:
    if not isinstance(name, str) or KEY_NAME_PATTERN.fullmatch(name) is None:
        raise InvalidInput(
            "a key name is 1-63 letters, digits, spaces or . _ @ -, starting with a letter "
            f"or digit, not {str(name)[:40]!r}",
            path=("name",),
        )
    return name


def new_api_key(
    name: str, role: Role | str, *, created_by: str, now: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key and its token; the token is never stored, so show it once."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        id=key_id,
        name=check_key_name(name),
        role=role if isinstance(role, Role) else parse_role(role),
        secret_hash=_hash(secret),
        created_at=now or datetime.now(UTC),
        created_by=created_by,
    )
    return key, f"{PREFIX}_{key_id}_{secret}"


def parse_token(token: str) -> tuple[str, str]:
    """(key id, secret) of a token, or :class:`Unauthenticated`."""
    match = _TOKEN.fullmatch(token.strip())
    if match is None:
        raise Unauthenticated("the credentials are not a graph-crm API key")
    return match.group(1), match.group(2)


def verify(key: ApiKey, token: str) -> bool:
    """Whether ``token`` is this key's (constant-time on the secret)."""
    try:
        key_id, secret = parse_token(token)
    except Unauthenticated:
        return False
    return key_id == key.id and hmac.compare_digest(_hash(secret), key.secret_hash)
