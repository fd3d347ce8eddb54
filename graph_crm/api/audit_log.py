"""The audit log in the core schema: ``auditLog``, for admins only (see ``access.py``)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import cast

import strawberry
from strawberry.scalars import JSON

from graph_crm.api.context import Info, field
from graph_crm.api.limits import check_first
from graph_crm.api.types import PageInfo
from graph_crm.model.audit import AuditRecord, audit_cursor


@strawberry.type(
    name="AuditRecord",
    description="One recorded change: who made it, when, and what it wrote.",
)
class AuditRecordNode:
    id: strawberry.ID
    at: datetime = strawberry.field(description="When the change was written (UTC).")
    actor: str = strawberry.field(
        description="Who made it: 'key:<id> (<name>)' for an API key, else what the command "
        "line or the importer was told."
    )
    action: str = strawberry.field(
        description="define, alter, drop, upsert, link, unlink, delete, import, key.create, "
        "key.revoke, integration.create, integration.revoke, webhook.create, webhook.revoke, "
        "webhook.replay, incident.open, incident.change or access.denied."
    )
    kind: str = strawberry.field(
        description="entityType, relationType, impactPolicy, registry, entity, relation, apiKey, "
        "integration, webhook, incident or operation."
    )
    type: str | None = strawberry.field(
        description="The entity, relation type or policy it concerns (null for keys and incidents)."
    )
    ids: list[str] = strawberry.field(
        description="What it wrote: entities 'Type:key', relations 'REL:Type:a->Type:b' "
        "(a '%' or '>' in their ids is written '%25' or '%3E'), key ids."
    )
    before: JSON | None = strawberry.field(description="A definition as it was (null if new).")
    after: JSON | None = strawberry.field(description="A definition as it became (null if gone).")
    summary: JSON = strawberry.field(
        description='Counts, e.g. {"created": 2, "updated": 1, "unchanged": 7}.'
    )

    @classmethod
    def from_model(cls, record: AuditRecord) -> AuditRecordNode:
        return cls(
            id=strawberry.ID(record.id),
            at=record.at,
            actor=record.actor,
            action=record.action.value,
            kind=record.kind.value,
            type=record.type_name,
            ids=list(record.ids),
            before=cast(JSON, record.before),
            after=cast(JSON, record.after),
            summary=cast(JSON, record.summary),
        )


@strawberry.enum(name="AuditLogOrder", description="Which records of the audit log come first.")
class AuditOrder(Enum):
    OLDEST_FIRST = "oldest_first"
    NEWEST_FIRST = "newest_first"


@strawberry.type(name="AuditLogEdge")
class AuditEdge:
    cursor: str
    node: AuditRecordNode


# Named after the field, not "Audit...": an entity type Audit generates AuditConnection.
@strawberry.type(name="AuditLogConnection")
class AuditConnection:
    total_count: int
    edges: list[AuditEdge]
    page_info: PageInfo


@strawberry.type
class AuditQuery:
    @field(
        "Every recorded change, oldest first (order: NEWEST_FIRST for the reverse): "
        "definitions and data and key writes, each written in the same transaction as the "
        "change. since is inclusive, until exclusive; actor, type, kind and action match "
        "exactly. Admins only."
    )
    async def audit_log(
        self,
        info: Info,
        since: datetime | None = None,
        actor: str | None = None,
        type: str | None = None,
        first: int = 50,
        after: str | None = None,
        until: datetime | None = None,
        kind: str | None = None,
        action: str | None = None,
        order: AuditOrder = AuditOrder.OLDEST_FIRST,
    ) -> AuditConnection:
        page = await info.context.store.audit_log(
            since=since,
            actor=actor,
            type_name=type,
            first=check_first(first, info.context.limits.page_size),
            after=after,
            until=until,
            kind=kind,
            action=action,
            newest_first=order is AuditOrder.NEWEST_FIRST,
        )
        return AuditConnection(
            total_count=page.total_count,
            edges=[
                AuditEdge(cursor=audit_cursor(record), node=AuditRecordNode.from_model(record))
                for record in page.items
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )
