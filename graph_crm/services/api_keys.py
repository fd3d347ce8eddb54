"""API keys made and revoked on a store: the command line, the GraphQL API (admins),
tests and benchmarks.

A key's token is returned by :func:`issue_key` and never stored (only its hash is), so
whoever asked shows it once. The store writes each key's audit record, with the actor
given here, in the same transaction as the key.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_crm.auth.keys import KEY_ID_PATTERN, ApiKey, new_api_key
from graph_crm.auth.roles import Role
from graph_crm.clock import utc_now
from graph_crm.errors import InvalidInput
from graph_crm.store.base import GraphStore


async def issue_key(
    store: GraphStore, name: str, role: Role | str, *, actor: str
) -> tuple[ApiKey, str]:
    """Store a new key made by ``actor``; returns it and its token (show the token once).
    A bad name or role is InvalidInput (at ``name`` or ``role``) and stores nothing."""
    key, token = new_api_key(name, role, created_by=actor)
    await store.add_api_key(key)
    return key, token


async def create_key(store: GraphStore, name: str, role: Role | str, *, actor: str) -> str:
    """Store a new key; returns its token (never stored: show it once)."""
    _, token = await issue_key(store, name, role, actor=actor)
    return token


@dataclass(frozen=True, slots=True)
class Revocation:
    key: ApiKey
    #: It was revoked before this call (which then changed nothing and recorded nothing).
    already_revoked: bool


async def revoke_key(store: GraphStore, key_id: str, *, actor: str) -> Revocation:
    """Revoke the key ``key_id`` now; idempotent (an already revoked key keeps its first
    revocation time). An id that is not 16 hex digits is InvalidInput, an absent one
    NotFound, both at ``id``; the key stops working on the next request that sends it."""
    if not isinstance(key_id, str) or KEY_ID_PATTERN.fullmatch(key_id) is None:
        raise InvalidInput(
            f"a key id is 16 hex digits (see apiKeys), not {str(key_id)[:40]!r}", path=("id",)
        )
    at = utc_now()
    key = await store.revoke_api_key(key_id, at=at, actor=actor)
    return Revocation(key, already_revoked=key.revoked_at != at)
