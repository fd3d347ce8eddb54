"""Integrations in the core schema, for admins only (``access.py``): ``integrations``,
``createIntegration`` (the secret shown this once) and ``revokeIntegration``.

The same operations as ``graph-crm integrations`` (:mod:`graph_crm.services.integrations`);
the key the request came with is recorded as their author in the audit log. No field
returns an integration's secret again.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from graph_crm.api.context import Info, field, mutation
from graph_crm.api.errors import Error, as_result
from graph_crm.auth.integrations import Integration
from graph_crm.services.integrations import create_integration, revoke_integration


@strawberry.enum(name="IntegrationEventType", description="An event type POST /events takes.")
class EventTypeEnum(Enum):
    DISRUPTION = "disruption"


@strawberry.type(name="EventIntegration", description="A system that posts signed events.")
class IntegrationNode:
    id: strawberry.ID = strawberry.field(
        description="16 hex digits, sent as the X-GraphCRM-Integration header."
    )
    name: str
    event_types: list[EventTypeEnum]
    created_at: datetime
    created_by: str = strawberry.field(description="Who made it, as the audit log says.")
    revoked_at: datetime | None
    active: bool = strawberry.field(description="Not revoked: its events are accepted.")

    @classmethod
    def from_model(cls, integration: Integration) -> IntegrationNode:
        return cls(
            id=strawberry.ID(integration.id),
            name=integration.name,
            event_types=[EventTypeEnum(value) for value in integration.event_types],
            created_at=integration.created_at,
            created_by=integration.created_by,
            revoked_at=integration.revoked_at,
            active=integration.active,
        )


@strawberry.type(
    name="IntegrationCreatePayload",
    description="A new integration, and the only time its secret is shown.",
)
class IntegrationCreated:
    integration: IntegrationNode
    secret: str = strawberry.field(
        description="The HMAC-SHA256 key its events are signed with (docs: Incidents, "
        "Events in). Shown once: no field returns it again."
    )


@strawberry.type(name="IntegrationRevokePayload", description="A revoked integration.")
class IntegrationRevoked:
    integration: IntegrationNode
    already_revoked: bool = strawberry.field(
        description="It was revoked before: nothing changed, nothing was recorded."
    )


IntegrationCreateResult = Annotated[
    IntegrationCreated | Error, strawberry.union("IntegrationCreateResult")
]
IntegrationRevokeResult = Annotated[
    IntegrationRevoked | Error, strawberry.union("IntegrationRevokeResult")
]


@strawberry.type
class IntegrationsQuery:
    @field("Every integration, oldest first; includeRevoked: false leaves revoked ones out.")
    async def integrations(self, info: Info, include_revoked: bool = True) -> list[IntegrationNode]:
        found = await info.context.store.integrations()
        return [IntegrationNode.from_model(i) for i in found if include_revoked or i.active]


@strawberry.type
class IntegrationsMutation:
    @mutation(
        "Make an integration that may post events of eventTypes; the answer holds its "
        "secret, shown this once. name: 1-63 letters, digits, spaces or . _ @ -. Admins."
    )
    async def create_integration(
        self, info: Info, name: str, event_types: list[EventTypeEnum]
    ) -> IntegrationCreateResult:
        context = info.context

        async def run() -> IntegrationCreated:
            made = await create_integration(
                context.store, name, [t.value for t in event_types], actor=context.actor
            )
            return IntegrationCreated(
                integration=IntegrationNode.from_model(made), secret=made.secret
            )

        return await as_result(run)

    @mutation("Revoke an integration now (again: no change): its next event gets 401. Admins.")
    async def revoke_integration(self, info: Info, id: strawberry.ID) -> IntegrationRevokeResult:
        context = info.context

        async def run() -> IntegrationRevoked:
            revocation = await revoke_integration(context.store, str(id), actor=context.actor)
            return IntegrationRevoked(
                integration=IntegrationNode.from_model(revocation.integration),
                already_revoked=revocation.already_revoked,
            )

        return await as_result(run)
