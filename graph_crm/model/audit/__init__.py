"""The audit trail: one record per write that changed something (pure, no IO).

A store writes each record in the same transaction as the change it describes, so the
log never holds a change that did not happen, nor misses one that did. Definition
changes carry their before and after; data writes the global ids they wrote (entities
``Type:key``, relations ``REL:Type:a->Type:b``, see :func:`relation_id`) and counts.
Records are listed oldest first by ``(at, id)`` with keyset cursors.

>>> from datetime import UTC, datetime
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

The parts: :mod:`.record` (the record and how one is made), :mod:`.relation_ids` and
:mod:`.log_query` (reading the log); this package exports their public names.
"""

from graph_crm.model.audit.log_query import (
    AuditQuery,
    audit_cursor,
    audit_page,
    check_audit_query,
    decode_audit_cursor,
)
from graph_crm.model.audit.record import (
    AuditAction,
    AuditKind,
    AuditRecord,
    data_change,
    definition_change,
    new_audit_id,
)
from graph_crm.model.audit.relation_ids import parse_relation_id, relation_id

__all__ = [
    "AuditAction",
    "AuditKind",
    "AuditQuery",
    "AuditRecord",
    "audit_cursor",
    "audit_page",
    "check_audit_query",
    "data_change",
    "decode_audit_cursor",
    "definition_change",
    "new_audit_id",
    "parse_relation_id",
    "relation_id",
]
