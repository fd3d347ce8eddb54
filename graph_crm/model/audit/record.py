"""One audit record: who, when, what was written, before and after (pure).

Each record gets a fresh random id, which only breaks ties between records of the
same instant; ``at`` is always given by the caller.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from graph_crm.model.registry import RegistryChange
from graph_crm.model.values import datetime_to_text


class AuditAction(StrEnum):
    DEFINE = "define"
    ALTER = "alter"
    DROP = "drop"
    UPSERT = "upsert"
    LINK = "link"
    UNLINK = "unlink"
    DELETE = "delete"
    IMPORT = "import"
    KEY_CREATE = "key.create"
    KEY_REVOKE = "key.revoke"
    #: an integration (a signed event sender, POST /events) made or revoked
    INTEGRATION_CREATE = "integration.create"
    INTEGRATION_REVOKE = "integration.revoke"
    #: an outbound webhook made or revoked, or one of its dead letters replayed
    WEBHOOK_CREATE = "webhook.create"
    WEBHOOK_REVOKE = "webhook.revoke"
    WEBHOOK_REPLAY = "webhook.replay"
    #: an incident opened with its first version (graph_crm/incidents)
    INCIDENT_OPEN = "incident.open"
    #: an incident changed: a new version, its status, owner, notes or checklist
    INCIDENT_CHANGE = "incident.change"
    #: an operation refused for the caller's role (not a change: see ForbiddenAuditor)
    ACCESS_DENIED = "access.denied"


class AuditKind(StrEnum):
    """What was changed; the first three match the registry's definition kinds."""

    ENTITY_TYPE = "entityType"
    RELATION_TYPE = "relationType"
    IMPACT_POLICY = "impactPolicy"
    REGISTRY = "registry"  # a whole registry installed by an import
    ENTITY = "entity"
    RELATION = "relation"
    API_KEY = "apiKey"
    INTEGRATION = "integration"
    WEBHOOK = "webhook"
    INCIDENT = "incident"
    OPERATION = "operation"  # a GraphQL operation someone asked for


def new_audit_id() -> str:
    """64 random bits as hex: ids only break ties between records of the same instant."""
    return secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """Who (``actor``), when (``at``, UTC), and what: an action on a kind of thing, the
    type it concerns (None for API keys and whole-registry imports), the ids written,
    definitions before and after, and counts (``summary``)."""

    id: str
    at: datetime
    actor: str
    action: AuditAction
    kind: AuditKind
    type_name: str | None
    ids: tuple[str, ...] = ()
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    summary: dict[str, int] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        """A flat record for storage: ``at`` as fixed-width UTC text (text order is time
        order), ``ids`` a list, ``before``/``after``/``summary`` as JSON text."""
        return {
            "id": self.id,
            "at": datetime_to_text(self.at),
            "actor": self.actor,
            "action": self.action.value,
            "kind": self.kind.value,
            "typeName": self.type_name,
            "ids": list(self.ids),
            "before": _json_text(self.before),
            "after": _json_text(self.after),
            "summary": json.dumps(self.summary, separators=(",", ":")),
        }

    @classmethod
    def from_record(cls, data: Mapping[str, Any]) -> AuditRecord:
        """The inverse of :meth:`to_record`; absent optional fields read as empty."""
        return cls(
            id=str(data["id"]),
            at=datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00")),
            actor=str(data["actor"]),
            action=AuditAction(data["action"]),
            kind=AuditKind(data["kind"]),
            type_name=data.get("typeName"),
            ids=tuple(str(gid) for gid in data.get("ids") or ()),
            before=_from_json_text(data.get("before")),
            after=_from_json_text(data.get("after")),
            summary=dict(json.loads(data.get("summary") or "{}")),
        )


def _json_text(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _from_json_text(text: str | None) -> dict[str, Any] | None:
    return None if text is None else dict(json.loads(text))


def data_change(
    actor: str,
    action: AuditAction,
    kind: AuditKind,
    type_name: str | None,
    ids: Iterable[str],
    summary: Mapping[str, int],
    *,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRecord:
    """A new record (fresh id) of a write that changed data at ``at``."""
    return AuditRecord(
        id=new_audit_id(),
        at=at,
        actor=actor,
        action=action,
        kind=kind,
        type_name=type_name,
        ids=tuple(ids),
        before=before,
        after=after,
        summary=dict(summary),
    )


def definition_change(change: RegistryChange) -> AuditRecord:
    """The record of a registry change: same actor and time, before and after.

    >>> from datetime import UTC
    >>> from graph_crm.model.registry import ChangeKind
    >>> change = RegistryChange(4, ChangeKind.ALTER_ENTITY_TYPE, "Customer", "cli",
    ...                         datetime(2026, 12, 1, tzinfo=UTC), {"name": "Customer"}, None)
    >>> record = definition_change(change)
    >>> record.action.value, record.kind.value, record.type_name, record.summary
    ('alter', 'entityType', 'Customer', {'version': 4})
    """
    return AuditRecord(
        id=new_audit_id(),
        at=change.at,
        actor=change.actor,
        action=AuditAction(change.kind.value.split("_", 1)[0].lower()),
        kind=AuditKind(change.kind.definition_kind),
        type_name=change.name,
        before=change.before,
        after=change.after,
        summary={"version": change.version},
    )
