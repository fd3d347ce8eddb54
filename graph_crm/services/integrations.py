"""Integrations made and revoked on a store: the command line and the GraphQL API
(admins). The secret is returned once, by :func:`create_integration`; the store writes
each change's audit record with the actor given here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graph_crm.auth.integrations import Integration, check_integration_id, new_integration
from graph_crm.clock import utc_now
from graph_crm.store.base import GraphStore


async def create_integration(
    store: GraphStore, name: object, event_types: Iterable[object], *, actor: str
) -> Integration:
    """Store a new integration made by ``actor``; it holds its secret (show it once). A
    bad name or event type is InvalidInput at ``name`` / ``eventTypes`` and stores nothing."""
    integration = new_integration(name, event_types, created_by=actor, now=utc_now())
    await store.add_integration(integration)
    return integration


@dataclass(frozen=True, slots=True)
class IntegrationRevocation:
    integration: Integration
    #: It was revoked before this call (which then changed nothing and recorded nothing).
    already_revoked: bool


async def revoke_integration(
    store: GraphStore, integration_id: object, *, actor: str
) -> IntegrationRevocation:
    """Revoke it now (idempotent); its next event is refused 401. A bad id is
    InvalidInput, an absent one NotFound, both at ``id``."""
    at = utc_now()
    revoked = await store.revoke_integration(
        check_integration_id(integration_id), at=at, actor=actor
    )
    return IntegrationRevocation(revoked, already_revoked=revoked.revoked_at != at)
