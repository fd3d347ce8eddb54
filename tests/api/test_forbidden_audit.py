"""Refused operations in the audit log, at most one record per key per interval."""

from __future__ import annotations

import contextlib
import logging
import sqlite3

import pytest

from graph_crm.api.forbidden_audit import ForbiddenAttempt, ForbiddenAuditor
from graph_crm.model.audit import AuditRecord
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.contract.refusal import Refusal


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def attempt(key_id: str = "0a1b", operation: str | None = "Grab") -> ForbiddenAttempt:
    return ForbiddenAttempt(
        actor=f"key:{key_id} (bot)",
        role="analyst",
        key_id=key_id,
        client="203.0.113.7",
        operation=operation,
        refused=("auditLog", "defineEntityType"),
    )


async def denials(store: GraphStore) -> list[AuditRecord]:
    return [r for r in (await store.audit_log(first=500)).items if r.action == "access.denied"]


async def test_a_refusal_is_recorded_with_who_tried_what_from_where(store: GraphStore) -> None:
    auditor = ForbiddenAuditor(clock=Clock())
    assert await auditor.refused(store, attempt())
    (record,) = await denials(store)
    assert record.actor == "key:0a1b (bot)"
    assert record.kind == "operation"
    assert record.type_name is None
    assert record.after == {
        "role": "analyst",
        "keyId": "0a1b",
        "client": "203.0.113.7",
        "operation": "Grab",
        "refused": ["auditLog", "defineEntityType"],
    }
    assert record.summary == {"suppressed": 0}


async def test_a_key_gets_one_record_per_interval_and_the_next_counts_the_rest(
    store: GraphStore,
) -> None:
    clock = Clock()
    auditor = ForbiddenAuditor(interval=10.0, clock=clock)
    assert await auditor.refused(store, attempt())
    for _ in range(50):
        clock.now += 0.1
        assert not await auditor.refused(store, attempt())
    assert await auditor.refused(store, attempt("ffff"))  # another key is not held back
    clock.now += 5.0  # ten seconds after the first record
    assert await auditor.refused(store, attempt(operation=None))
    records = await denials(store)
    assert [(r.after["keyId"], r.summary) for r in records if r.after] == [
        ("0a1b", {"suppressed": 0}),
        ("ffff", {"suppressed": 0}),
        ("0a1b", {"suppressed": 50}),
    ]
    assert records[-1].after is not None
    assert records[-1].after["operation"] is None


async def test_what_a_caller_sends_is_bounded_in_the_record(store: GraphStore) -> None:
    auditor = ForbiddenAuditor(clock=Clock())
    huge = ForbiddenAttempt(
        actor="key:0a1b (bot)",
        role="analyst",
        key_id="0a1b",
        client="203.0.113.7",
        operation="O" * 100_000,
        refused=[f"field{n}" * 1_000 for n in range(1_000)],
    )
    assert await auditor.refused(store, huge)
    (record,) = await denials(store)
    assert record.after is not None
    assert len(record.after["operation"]) == 128
    assert len(record.after["refused"]) == 32
    assert all(len(name) <= 128 for name in record.after["refused"])


async def test_a_store_that_refuses_the_record_fails_nothing_and_the_count_carries_over(
    store: GraphStore,
    refusal: Refusal,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    auditor = ForbiddenAuditor(interval=10.0, clock=clock)
    await refusal.refuse_audit()
    with caplog.at_level(logging.ERROR, logger="graph_crm.api"):
        assert not await auditor.refused(store, attempt())
    assert "could not record a refused operation of key 0a1b" in caplog.text
    clock.now += 1.0
    assert not await auditor.refused(store, attempt())  # within the interval
    # the store takes records again
    monkeypatch.undo()
    if isinstance(store, EmbeddedStore):
        with contextlib.closing(sqlite3.connect(store.path)) as conn, conn:
            conn.execute("DROP TRIGGER test_refuse_audit")
    clock.now += 10.0
    assert await auditor.refused(store, attempt())
    records = await denials(store)
    assert records[-1].summary == {"suppressed": 2}  # the one not stored, and the one after


def test_memory_is_bounded_whatever_the_number_of_keys() -> None:
    auditor = ForbiddenAuditor(max_keys=10, clock=Clock())
    for n in range(1_000):
        assert auditor.due(f"key{n}") == 0
    assert auditor.due("key999") is None  # recent ones are remembered
    assert auditor.due("key0") == 0  # the oldest were forgotten
