"""API keys made on a store: the command line's first admin key, tests and benchmarks."""

from __future__ import annotations

from graph_crm.auth.keys import new_api_key
from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore


async def create_key(store: GraphStore, name: str, role: Role | str, *, actor: str) -> str:
    """Store a new key; returns its token (never stored: show it once)."""
    key, token = new_api_key(name, role, created_by=actor)
    await store.add_api_key(key)
    return token
