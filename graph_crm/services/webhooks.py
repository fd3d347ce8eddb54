"""Outbound webhooks made, revoked and replayed on a store: the command line and the
GraphQL API (admins). The secret is returned once, by :func:`create_webhook`; the store
writes each change's audit record with the actor given here. Sending is
:mod:`graph_crm.services.webhook_delivery`'s."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from graph_crm.clock import utc_now
from graph_crm.incidents.delivery import Delivery, check_delivery_id
from graph_crm.incidents.webhook import Webhook, check_webhook_id, new_webhook
from graph_crm.store.base import GraphStore


async def create_webhook(
    store: GraphStore, name: object, url: object, filter_record: object, *, actor: str
) -> Webhook:
    """Store a new webhook made by ``actor``, told of the feed's changes from now on; it
    holds its secret (show it once). A bad name, URL or filter is InvalidInput at
    ``name`` / ``url`` / ``filter.<field>`` and stores nothing."""
    webhook = new_webhook(
        name,
        url,
        filter_record,
        webhook_id=secrets.token_hex(8),
        secret=secrets.token_urlsafe(32),
        created_by=actor,
        now=utc_now(),
        start_seq=await store.incident_feed_head(),
    )
    await store.add_webhook(webhook)
    return webhook


@dataclass(frozen=True, slots=True)
class WebhookRevocation:
    webhook: Webhook
    #: It was revoked before this call (which then changed nothing and recorded nothing).
    already_revoked: bool


async def revoke_webhook(store: GraphStore, webhook_id: object, *, actor: str) -> WebhookRevocation:
    """Revoke it now (idempotent): nothing more is sent to it. A bad id is InvalidInput,
    an absent one NotFound, both at ``id``."""
    at = utc_now()
    revoked = await store.revoke_webhook(check_webhook_id(webhook_id), at=at, actor=actor)
    return WebhookRevocation(revoked, already_revoked=revoked.revoked_at != at)


async def replay_delivery(store: GraphStore, delivery_id: object, *, actor: str) -> Delivery:
    """Make the dead letter ``delivery_id`` due now, audited; NotFound, or InvalidInput if
    it is malformed or not dead, at ``id``."""
    return await store.replay_delivery(check_delivery_id(delivery_id), at=utc_now(), actor=actor)
