"""The audit record each kind of write leaves, the same on every backend (pure).

A backend calls these inside its write transaction, with what it wrote: only the rows
that changed are named (see :meth:`GraphStore.audit_log` on writes that changed nothing).

>>> from datetime import UTC, datetime
>>> record = unlink_record("cli", "FILED", ["FILED:Customer:A->Complaint:C1"],
...                        datetime(2026, 12, 1, tzinfo=UTC))
>>> record.action.value, record.kind.value, record.type_name, record.summary
('unlink', 'relation', 'FILED', {'removed': 1})
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from graph_crm.auth.integrations import Integration
from graph_crm.auth.keys import ApiKey
from graph_crm.incidents.delivery import Delivery
from graph_crm.incidents.webhook import Webhook
from graph_crm.model.audit import AuditAction, AuditKind, AuditRecord, data_change
from graph_crm.model.graph import WriteResult
from graph_crm.model.registry import Registry, RegistryChange
from graph_crm.model.values import datetime_to_text


def _counts(result: WriteResult) -> dict[str, int]:
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


def upsert_record(
    actor: str, type_name: str, ids: Sequence[str], result: WriteResult, at: datetime
) -> AuditRecord:
    """``ids``: the entities the upsert created or changed (unchanged rows only counted)."""
    return data_change(
        actor, AuditAction.UPSERT, AuditKind.ENTITY, type_name, ids, _counts(result), at=at
    )


def link_record(
    actor: str, relation_type: str, ids: Sequence[str], result: WriteResult, at: datetime
) -> AuditRecord:
    """``ids``: the relations created or changed, as :func:`~graph_crm.model.audit.relation_id`."""
    return data_change(
        actor, AuditAction.LINK, AuditKind.RELATION, relation_type, ids, _counts(result), at=at
    )


def unlink_record(actor: str, relation_type: str, ids: Sequence[str], at: datetime) -> AuditRecord:
    return data_change(
        actor,
        AuditAction.UNLINK,
        AuditKind.RELATION,
        relation_type,
        ids,
        {"removed": len(ids)},
        at=at,
    )


def delete_record(
    actor: str, type_name: str, ids: Sequence[str], relations: int, at: datetime
) -> AuditRecord:
    """The entities of one type deleted, and how many relations went with them."""
    return data_change(
        actor,
        AuditAction.DELETE,
        AuditKind.ENTITY,
        type_name,
        ids,
        {"entities": len(ids), "relations": relations},
        at=at,
    )


def import_data_record(
    actor: str, kind: AuditKind, type_name: str, ids: Sequence[str], at: datetime
) -> AuditRecord:
    """One import batch of entities or relations, written verbatim."""
    return data_change(
        actor, AuditAction.IMPORT, kind, type_name, ids, {"created": len(ids)}, at=at
    )


def import_registry_record(
    actor: str, registry: Registry, changes: Sequence[RegistryChange], at: datetime
) -> AuditRecord:
    """A whole registry and its history installed by an import."""
    definitions = len(registry.entity_types) + len(registry.relation_types)
    summary = {
        "version": registry.version,
        "changes": len(changes),
        "definitions": definitions + len(registry.policies),
    }
    return data_change(actor, AuditAction.IMPORT, AuditKind.REGISTRY, None, (), summary, at=at)


def key_created_record(key: ApiKey, at: datetime) -> AuditRecord:
    """A new API key, recorded as made by ``key.created_by``; never its secret's hash."""
    after = {"name": key.name, "role": key.role.value, "createdAt": key.created_at.isoformat()}
    return data_change(
        key.created_by,
        AuditAction.KEY_CREATE,
        AuditKind.API_KEY,
        None,
        [key.id],
        {},
        at=at,
        after=after,
    )


def _revoked_record(
    action: AuditAction,
    kind: AuditKind,
    revoked: ApiKey | Integration | Webhook,
    actor: str,
    at: datetime,
) -> AuditRecord:
    """A key or an integration revoked by ``actor``: its name, and when (never a secret)."""
    when = None if revoked.revoked_at is None else datetime_to_text(revoked.revoked_at)
    return data_change(
        actor,
        action,
        kind,
        None,
        [revoked.id],
        {},
        at=at,
        before={"name": revoked.name, "revokedAt": None},
        after={"name": revoked.name, "revokedAt": when},
    )


def key_revoked_record(key: ApiKey, actor: str, at: datetime) -> AuditRecord:
    return _revoked_record(AuditAction.KEY_REVOKE, AuditKind.API_KEY, key, actor, at)


def integration_created_record(integration: Integration, at: datetime) -> AuditRecord:
    """A new integration, recorded as made by its ``created_by``; never its secret."""
    return data_change(
        integration.created_by,
        AuditAction.INTEGRATION_CREATE,
        AuditKind.INTEGRATION,
        None,
        [integration.id],
        {},
        at=at,
        after={"name": integration.name, "eventTypes": list(integration.event_types)},
    )


def integration_revoked_record(integration: Integration, actor: str, at: datetime) -> AuditRecord:
    return _revoked_record(
        AuditAction.INTEGRATION_REVOKE, AuditKind.INTEGRATION, integration, actor, at
    )


def webhook_created_record(webhook: Webhook, at: datetime) -> AuditRecord:
    """A new webhook, recorded as made by its ``created_by``; never its secret."""
    return data_change(
        webhook.created_by,
        AuditAction.WEBHOOK_CREATE,
        AuditKind.WEBHOOK,
        None,
        [webhook.id],
        {},
        at=at,
        after={"name": webhook.name, "url": webhook.url, "filter": webhook.filter.to_record()},
    )


def webhook_revoked_record(webhook: Webhook, actor: str, at: datetime) -> AuditRecord:
    return _revoked_record(AuditAction.WEBHOOK_REVOKE, AuditKind.WEBHOOK, webhook, actor, at)


def delivery_replayed_record(delivery: Delivery, actor: str, at: datetime) -> AuditRecord:
    """A dead letter made due again: its webhook and the change it carries."""
    return data_change(
        actor,
        AuditAction.WEBHOOK_REPLAY,
        AuditKind.WEBHOOK,
        None,
        [delivery.webhook_id, delivery.id],
        {"replays": delivery.replays},
        at=at,
        before={"status": "dead"},
        after={"status": delivery.status.value, "seq": delivery.seq},
    )
