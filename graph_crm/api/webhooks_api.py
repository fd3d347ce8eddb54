"""Outbound webhooks in the core schema, for admins only (``access.py``): ``webhooks``,
``webhookDeliveries`` (the delivery log and, by status, the dead letters),
``createWebhook`` (the secret shown this once), ``revokeWebhook`` and
``replayDelivery``.

The same operations as ``graph-crm webhooks`` (:mod:`graph_crm.services.webhooks`); the
key the request came with is recorded as their author in the audit log. No field
returns a webhook's secret again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry

from graph_crm.api.context import Info, field, mutation
from graph_crm.api.errors import Error, as_result
from graph_crm.incidents.delivery import Attempt, Delivery, DeliveryStatus
from graph_crm.incidents.feed_filter import FeedFilter
from graph_crm.incidents.webhook import Webhook
from graph_crm.services.webhooks import create_webhook, replay_delivery, revoke_webhook


@strawberry.enum(name="WebhookDeliveryStatus", description="Where a delivery stands.")
class DeliveryStatusEnum(Enum):
    PENDING = "pending"
    DELIVERING = "delivering"
    DELIVERED = "delivered"
    DEAD = "dead"


@strawberry.type(name="WebhookFilter", description="The incident changes a webhook is told of.")
class WebhookFilterNode:
    incident_ids: list[str] | None
    sources: list[str] | None
    source_types: list[str] | None
    statuses: list[str] | None
    versions_only: bool

    @classmethod
    def from_model(cls, wanted: FeedFilter) -> WebhookFilterNode:
        def listed(values: tuple[str, ...] | None) -> list[str] | None:
            return None if values is None else list(values)

        return cls(
            incident_ids=listed(wanted.incident_ids),
            sources=listed(wanted.sources),
            source_types=listed(wanted.source_types),
            statuses=listed(wanted.statuses),
            versions_only=wanted.versions_only,
        )


@strawberry.input(
    name="WebhookFilterInput",
    description="Every field given narrows (absent: any): incidents by id, by source "
    "(global ids), by source entity type, by status after the change; versionsOnly: only "
    "changes that stored a new version.",
)
class WebhookFilterInput:
    incident_ids: list[str] | None = None
    sources: list[str] | None = None
    source_types: list[str] | None = None
    statuses: list[str] | None = None
    versions_only: bool = False

    def to_record(self) -> dict[str, Any]:
        """As the feed filter reads it (camelCase, absent lists left out)."""
        given = {
            "incidentIds": self.incident_ids,
            "sources": self.sources,
            "sourceTypes": self.source_types,
            "statuses": self.statuses,
            "versionsOnly": self.versions_only,
        }
        return {name: value for name, value in given.items() if value is not None}


@strawberry.type(name="OutboundWebhook", description="Where incident changes are POSTed.")
class WebhookNode:
    id: strawberry.ID = strawberry.field(description="16 hex digits.")
    name: str
    url: str
    filter: WebhookFilterNode
    created_at: datetime
    created_by: str = strawberry.field(description="Who made it, as the audit log says.")
    revoked_at: datetime | None
    active: bool = strawberry.field(description="Not revoked: it is told of changes.")

    @classmethod
    def from_model(cls, webhook: Webhook) -> WebhookNode:
        return cls(
            id=strawberry.ID(webhook.id),
            name=webhook.name,
            url=webhook.url,
            filter=WebhookFilterNode.from_model(webhook.filter),
            created_at=webhook.created_at,
            created_by=webhook.created_by,
            revoked_at=webhook.revoked_at,
            active=webhook.active,
        )


@strawberry.type(name="WebhookDeliveryAttempt", description="One POST of a delivery.")
class AttemptNode:
    number: int
    at: datetime
    duration_ms: int
    status_code: int | None = strawberry.field(description="The receiver's HTTP status, if any.")
    error: str | None = strawberry.field(description="Why it failed; null if delivered.")
    excerpt: str = strawberry.field(description="The start of the receiver's answer.")

    @classmethod
    def from_model(cls, attempt: Attempt) -> AttemptNode:
        return cls(
            number=attempt.number,
            at=attempt.at,
            duration_ms=attempt.duration_ms,
            status_code=attempt.status_code,
            error=attempt.error,
            excerpt=attempt.excerpt,
        )


@strawberry.type(
    name="WebhookDelivery",
    description="One change of the incidents' feed told to one webhook, with its attempts.",
)
class DeliveryNode:
    id: strawberry.ID = strawberry.field(
        description="The X-Graph-CRM-Delivery header: receivers dedupe on it."
    )
    webhook_id: strawberry.ID
    seq: int = strawberry.field(description="The change's place in the feed.")
    incident_id: str
    status: DeliveryStatusEnum
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is tried next (pending), else null."
    )
    created_at: datetime
    delivered_at: datetime | None
    replays: int = strawberry.field(description="How often an admin replayed it.")
    attempts: list[AttemptNode]

    @classmethod
    def from_model(cls, delivery: Delivery) -> DeliveryNode:
        pending = delivery.status is DeliveryStatus.PENDING
        return cls(
            id=strawberry.ID(delivery.id),
            webhook_id=strawberry.ID(delivery.webhook_id),
            seq=delivery.seq,
            incident_id=delivery.incident_id,
            status=DeliveryStatusEnum(delivery.status.value),
            next_attempt_at=datetime.fromtimestamp(delivery.due, UTC) if pending else None,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
            replays=delivery.replays,
            attempts=[AttemptNode.from_model(attempt) for attempt in delivery.attempts],
        )


@strawberry.type(name="WebhookDeliveryPage", description="A page of the delivery log.")
class DeliveryPage:
    items: list[DeliveryNode]
    has_next_page: bool
    end_cursor: str | None = strawberry.field(description="Pass as after for the next page.")


@strawberry.type(
    name="WebhookCreatePayload", description="A new webhook, and the only time its secret is shown."
)
class WebhookCreated:
    webhook: WebhookNode
    secret: str = strawberry.field(
        description="The HMAC-SHA256 key its notifications are signed with (docs: "
        "Webhooks). Shown once: no field returns it again."
    )


@strawberry.type(name="WebhookRevokePayload", description="A revoked webhook.")
class WebhookRevoked:
    webhook: WebhookNode
    already_revoked: bool = strawberry.field(
        description="It was revoked before: nothing changed, nothing was recorded."
    )


@strawberry.type(name="WebhookReplayPayload", description="A dead letter, due again.")
class DeliveryReplayed:
    delivery: DeliveryNode


WebhookCreateResult = Annotated[WebhookCreated | Error, strawberry.union("WebhookCreateResult")]
WebhookRevokeResult = Annotated[WebhookRevoked | Error, strawberry.union("WebhookRevokeResult")]
WebhookReplayResult = Annotated[DeliveryReplayed | Error, strawberry.union("WebhookReplayResult")]


@strawberry.type
class WebhooksQuery:
    @field("Every webhook, oldest first; includeRevoked: false leaves revoked ones out. Admins.")
    async def webhooks(self, info: Info, include_revoked: bool = True) -> list[WebhookNode]:
        found = await info.context.store.webhooks()
        return [WebhookNode.from_model(w) for w in found if include_revoked or w.active]

    @field(
        "The delivery log, a webhook's in feed order: of webhookId and status (absent: any; "
        "status DEAD: the dead letters), first 1-500 after the cursor after. Admins."
    )
    async def webhook_deliveries(
        self,
        info: Info,
        webhook_id: strawberry.ID | None = None,
        status: DeliveryStatusEnum | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> DeliveryPage:
        store = info.context.store
        wanted = {
            "webhook_id": None if webhook_id is None else str(webhook_id),
            "status": None if status is None else status.value,
        }
        found = await store.deliveries(**wanted, first=first, after=after)
        # a full page looks one further: is there a next one?
        more = len(found) == first and bool(
            await store.deliveries(**wanted, first=1, after=found[-1].id)
        )
        return DeliveryPage(
            items=[DeliveryNode.from_model(delivery) for delivery in found],
            has_next_page=more,
            end_cursor=found[-1].id if found else None,
        )


@strawberry.type
class WebhooksMutation:
    @mutation(
        "Make a webhook: the incidents' changes its filter lets through, from now on, are "
        "POSTed to url (http or https, no credentials), signed; the answer holds its "
        "secret, shown this once. name: 1-63 letters, digits, spaces or . _ @ -. Admins."
    )
    async def create_webhook(
        self, info: Info, name: str, url: str, filter: WebhookFilterInput | None = None
    ) -> WebhookCreateResult:
        context = info.context
        wanted = None if filter is None else filter.to_record()

        async def run() -> WebhookCreated:
            made = await create_webhook(context.store, name, url, wanted, actor=context.actor)
            return WebhookCreated(webhook=WebhookNode.from_model(made), secret=made.secret)

        return await as_result(run)

    @mutation("Revoke a webhook now (again: no change): nothing more is sent to it. Admins.")
    async def revoke_webhook(self, info: Info, id: strawberry.ID) -> WebhookRevokeResult:
        context = info.context

        async def run() -> WebhookRevoked:
            revocation = await revoke_webhook(context.store, str(id), actor=context.actor)
            return WebhookRevoked(
                webhook=WebhookNode.from_model(revocation.webhook),
                already_revoked=revocation.already_revoked,
            )

        return await as_result(run)

    @mutation("Send a dead letter again, with a fresh set of attempts; audited. Admins.")
    async def replay_delivery(self, info: Info, id: strawberry.ID) -> WebhookReplayResult:
        context = info.context

        async def run() -> DeliveryReplayed:
            replayed = await replay_delivery(context.store, str(id), actor=context.actor)
            return DeliveryReplayed(delivery=DeliveryNode.from_model(replayed))

        return await as_result(run)
