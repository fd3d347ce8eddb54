"""The audit trail: one record per write that changed something (pure, no IO).

A store writes each record in the same transaction as the change it describes, so the
log never holds a change that did not happen, nor misses one that did. Definition
changes carry their before and after; data writes the global ids they wrote (entities
``Type:key``, relations ``REL:Type:a->Type:b``, see :func:`relation_id`) and counts.
Records are listed oldest first by ``(at, id)`` with keyset cursors.

>>> from datetime import UTC
>>> at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
>>> record = data_change(
...     "key:0a1b (loader)", AuditAction.UPSERT, AuditKind.ENTITY, "Customer",
...     ["Customer:ACME"], {"created": 1, "updated": 0, "unchanged": 2}, at=at,
... )
>>> stored = record.to_record()
>>> stored["at"], stored["ids"], stored["summary"]
('2026-12-01T09:30:00.000000Z', ['Customer:ACME'], '{"created":1,"updated":0,"unchanged":2}')
>>> AuditRecord.from_record(stored) == record
True
>>> decode_audit_cursor(audit_cursor(record)) == (stored["at"], record.id)
True
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from graph_crm.errors import InvalidInput
from graph_crm.model.graph import Page
from graph_crm.model.query import check_page_size
from graph_crm.model.registry import RegistryChange
from graph_crm.model.values import datetime_to_text

_CURSOR_TAG: Final = "audit"
_MAX_FILTER_LENGTH: Final = 512


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


def relation_id(relation_type: str, from_id: str, to_id: str) -> str:
    """How a relation is named in the log: ``TYPE:<from id>-><to id>``, readable and
    unambiguous. A key may hold ``->``, so in the ids ``%`` is written ``%25`` and ``>``
    ``%3E``: the one ``>`` left is the arrow's (see :func:`parse_relation_id`).

    >>> relation_id("HAS_SUBSIDIARY", "Customer:ACME", "Subsidiary:ACME-SH")
    'HAS_SUBSIDIARY:Customer:ACME->Subsidiary:ACME-SH'
    >>> relation_id("PARENT_OF", "Customer:a->Customer:b", "Customer:c")
    'PARENT_OF:Customer:a-%3ECustomer:b->Customer:c'
    >>> relation_id("PARENT_OF", "Customer:a", "Customer:b->Customer:c")
    'PARENT_OF:Customer:a->Customer:b-%3ECustomer:c'
    """
    return f"{relation_type}:{_escape_id(from_id)}->{_escape_id(to_id)}"


def parse_relation_id(text: str) -> tuple[str, str, str] | None:
    """``(relation type, from id, to id)`` of a :func:`relation_id`, or None for text that
    is not one.

    Records written before keys were escaped read the same as now unless a key held
    ``%`` or ``>``: those with one ``>`` too many (a key with ``->`` among them, the
    ambiguous ones) give None.

    >>> parse_relation_id("PARENT_OF:Customer:a-%3ECustomer:b->Customer:c")
    ('PARENT_OF', 'Customer:a->Customer:b', 'Customer:c')
    >>> parse_relation_id("Customer:ACME") is None
    True
    """
    relation_type, _, ends = text.partition(":")
    if not relation_type or ends.count(">") != 1 or "->" not in ends:
        return None
    from_id, to_id = ends.split("->")
    if ":" not in from_id or ":" not in to_id:
        return None
    return relation_type, _unescape_id(from_id), _unescape_id(to_id)


def _escape_id(gid: str) -> str:
    return gid.replace("%", "%25").replace(">", "%3E")


def _unescape_id(text: str) -> str:
    return re.sub("%(25|3E)", lambda m: "%" if m.group(1) == "25" else ">", text)


@dataclass(frozen=True)
class AuditQuery:
    """A checked ``audit_log`` request: ``since`` as stored text ('' for the beginning)."""

    since: str
    actor: str | None
    type_name: str | None
    first: int
    after: tuple[str, str] | None


def check_audit_query(
    *,
    since: datetime | None,
    actor: str | None,
    type_name: str | None,
    first: int,
    after: str | None,
) -> AuditQuery:
    """Check the arguments of ``audit_log``.

    >>> check_audit_query(since=None, actor="cli", type_name=None, first=10, after=None)
    AuditQuery(since='', actor='cli', type_name=None, first=10, after=None)
    >>> check_audit_query(since=datetime(2026, 1, 1), actor=None, type_name=None, first=1,
    ...                   after=None)
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: since must be a timezone-aware datetime...
    """
    if since is not None and (not isinstance(since, datetime) or since.utcoffset() is None):
        raise InvalidInput("since must be a timezone-aware datetime", path=("since",))
    for name, value in (("actor", actor), ("type", type_name)):
        if value is not None and (not isinstance(value, str) or len(value) > _MAX_FILTER_LENGTH):
            raise InvalidInput(f"{name} must be text of at most 512 characters", path=(name,))
    return AuditQuery(
        since="" if since is None else datetime_to_text(since),
        actor=actor,
        type_name=type_name,
        first=check_page_size(first),
        after=None if after is None else decode_audit_cursor(after),
    )


def audit_cursor(record: AuditRecord) -> str:
    """An opaque cursor right after ``record`` in ``(at, id)`` order."""
    payload = [_CURSOR_TAG, datetime_to_text(record.at), record.id]
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_audit_cursor(cursor: str) -> tuple[str, str]:
    """``(at text, id)`` from :func:`audit_cursor`; InvalidInput for anything else."""
    bad = InvalidInput("the cursor is not valid for the audit log", path=("after",))
    if not isinstance(cursor, str) or len(cursor) > 512:
        raise bad
    try:
        tag, at, record_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error):
        raise bad from None
    if tag != _CURSOR_TAG or not isinstance(at, str) or not isinstance(record_id, str):
        raise bad
    return at, record_id


def audit_page(rows: Sequence[AuditRecord], total: int, first: int) -> Page[AuditRecord]:
    """A page from up to ``first + 1`` rows read in order (the extra one says there is more)."""
    items = list(rows[:first])
    cursor = audit_cursor(items[-1]) if items else None
    return Page(items, total, cursor, len(rows) > first)
