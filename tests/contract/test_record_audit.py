"""``record_audit``: a record no write makes (a refused operation), stored alone."""

from __future__ import annotations

from datetime import UTC, datetime

from graph_crm.model.audit import AuditAction, AuditKind, data_change
from graph_crm.store.base import GraphStore
from tests.contract.crm import CUSTOMER
from tests.contract.snapshot import snapshot

AT = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


async def test_a_recorded_record_reads_back_whole_and_changes_nothing_else(
    store: GraphStore,
) -> None:
    await store.define_entity_type(CUSTOMER, actor="officer")
    await store.upsert_entities("Customer", [{"key": "ACME", "name": "Acme"}], actor="loader")
    before = await snapshot(store)
    registry_version = (await store.registry()).version
    details = {"role": "analyst", "keyId": "0a1b", "refused": ["auditLog"], "note": "中文"}
    record = data_change(
        "key:0a1b (bot)",
        AuditAction.ACCESS_DENIED,
        AuditKind.OPERATION,
        None,
        (),
        {"suppressed": 4},
        at=AT,
        after=details,
    )
    await store.record_audit(record)
    page = await store.audit_log(actor="key:0a1b (bot)")
    assert page.items == [record]
    assert page.total_count == 1
    assert (await store.audit_log()).total_count == 3  # the definition, the upsert, this
    assert await snapshot(store) == before
    assert (await store.registry()).version == registry_version


async def test_records_keep_their_own_time_in_the_log_order(store: GraphStore) -> None:
    later = data_change("b", AuditAction.ACCESS_DENIED, AuditKind.OPERATION, None, (), {}, at=AT)
    earlier = data_change(
        "a",
        AuditAction.ACCESS_DENIED,
        AuditKind.OPERATION,
        None,
        (),
        {},
        at=AT.replace(hour=8),
    )
    await store.record_audit(later)
    await store.record_audit(earlier)
    assert (await store.audit_log()).items == [earlier, later]
    assert (await store.audit_log(since=AT)).items == [later]
