"""The audit log read newest first, up to a time, and by kind and action, alike on every
backend (what the console's audit browser asks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph_crm.auth.keys import new_api_key
from graph_crm.auth.roles import Role
from graph_crm.clock import utc_now
from graph_crm.errors import InvalidInput
from graph_crm.model.audit import AuditRecord
from graph_crm.store.base import GraphStore
from tests.contract.audit_log import everything
from tests.contract.crm import CUSTOMER

AT = datetime(2026, 12, 1, tzinfo=UTC)


async def seven_changes(store: GraphStore) -> list[AuditRecord]:
    """A definition, five upserts and a key made and revoked: the log oldest first."""
    await store.define_entity_type(CUSTOMER, actor="officer")
    for index in range(5):
        await store.upsert_entities("Customer", [{"key": f"C{index}", "name": "x"}], actor="etl")
    key, _ = new_api_key("a-ops-key", Role.ANALYST, created_by="admin", now=AT)
    await store.add_api_key(key)
    await store.revoke_api_key(key.id, at=AT + timedelta(days=1), actor="admin")
    return await everything(store)


async def test_newest_first_is_the_reverse_order_and_pages_with_cursors(
    store: GraphStore,
) -> None:
    oldest_first = await seven_changes(store)
    assert len(oldest_first) == 8
    newest_first = await everything(store, newest_first=True)
    assert newest_first == oldest_first[::-1]
    page = await store.audit_log(newest_first=True, first=3)
    assert (page.items, page.total_count, page.has_next_page) == (oldest_first[:-4:-1], 8, True)
    rest = await store.audit_log(newest_first=True, first=10, after=page.end_cursor)
    assert rest.items == oldest_first[-4::-1]
    assert not rest.has_next_page


async def test_until_is_exclusive_and_bounds_the_range_with_since(store: GraphStore) -> None:
    log = await seven_changes(store)
    upserts = [record for record in log if record.action.value == "upsert"]
    second, fourth = upserts[1], upserts[3]
    window = await everything(store, since=second.at, until=fourth.at)
    assert [r.id for r in window] == [r.id for r in log if second.at <= r.at < fourth.at]
    assert fourth not in window
    assert second in window
    assert (await store.audit_log(until=log[0].at)).total_count == 0
    later = utc_now() + timedelta(days=1)
    assert (await store.audit_log(until=later)).total_count == 8
    assert await everything(store, until=later, newest_first=True) == log[::-1]


async def test_kind_and_action_match_exactly(store: GraphStore) -> None:
    log = await seven_changes(store)
    keys = await everything(store, kind="apiKey", newest_first=True)
    assert [(r.action.value, r.after["name"] if r.after else None) for r in keys] == [
        ("key.revoke", "a-ops-key"),
        ("key.create", "a-ops-key"),
    ]
    upserts = await store.audit_log(action="upsert", kind="entity", actor="etl", first=2)
    assert (upserts.total_count, upserts.items) == (5, log[1:3])
    assert (await store.audit_log(kind="relation")).total_count == 0
    assert (await store.audit_log(action="key.create", kind="entityType")).items == []


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"until": datetime(2026, 1, 1)}, ["until"]),
        ({"since": AT, "until": AT}, ["until"]),
        ({"since": AT, "until": AT - timedelta(seconds=1)}, ["until"]),
        ({"kind": "apiKey' OR 1=1 --"}, ["kind"]),
        ({"kind": "ApiKey"}, ["kind"]),
        ({"action": 'key.create") RETURN a //'}, ["action"]),
        ({"action": "x" * 10_000}, ["action"]),
    ],
)
async def test_bad_ranges_kinds_and_actions_are_refused_and_change_nothing(
    store: GraphStore, arguments: dict[str, Any], path: list[str]
) -> None:
    log = await seven_changes(store)
    with pytest.raises(InvalidInput) as caught:
        await store.audit_log(**arguments)
    assert list(caught.value.path) == path
    assert await everything(store) == log
