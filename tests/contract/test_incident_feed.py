"""The incidents' change feed: one entry per stored incident write, numbered in commit
order with no gaps, alike on every backend; a refused write appends nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from graph_crm.errors import InvalidInput, StaleRevision
from graph_crm.incidents.feed import MAX_FEED_READ
from graph_crm.incidents.incident import (
    IncidentStatus,
    assign,
    move_to,
    open_incident,
    with_version,
)
from graph_crm.incidents.version import VersionReason
from graph_crm.store.base import GraphStore
from tests.incidents.made import T0, opened, report, version_after


async def test_every_incident_write_appends_one_entry_in_order(store: GraphStore) -> None:
    assert await store.incident_feed_head() == 0
    assert await store.incident_changes() == []
    incident, first = opened()
    await store.open_incident(incident, first, actor="risk")
    second = version_after(
        first, [report({"Customer:A": "T2"})], reason=VersionReason.DELAY_UPDATED, minutes=5
    )
    updated = with_version(incident, second, note=None)
    await store.update_incident(updated, version=second, reason="delay updated")
    acknowledged = move_to(updated, IncidentStatus.ACKNOWLEDGED, actor="ops", at=T0)
    await store.update_incident(acknowledged, reason="acknowledged")

    changes = await store.incident_changes()
    assert [(c.seq, c.revision, c.version, c.reason) for c in changes] == [
        (1, 1, 1, "opened"),
        (2, 2, 2, "delay updated"),
        (3, 3, None, "acknowledged"),
    ]
    assert {c.incident_id for c in changes} == {incident.id}
    assert changes[0].at == incident.updated_at
    assert changes[2].at == acknowledged.updated_at
    assert await store.incident_feed_head() == 3
    assert [c.seq for c in await store.incident_changes(after=1)] == [2, 3]
    assert [c.seq for c in await store.incident_changes(after=1, limit=1)] == [2]
    assert await store.incident_changes(after=3) == []


async def test_a_refused_write_appends_nothing(store: GraphStore) -> None:
    incident, first = opened()
    await store.open_incident(incident, first)
    stale = assign(incident, "someone", at=T0 + timedelta(minutes=1))
    await store.update_incident(stale, reason="assigned")
    with pytest.raises(StaleRevision):  # made from revision 1 again: refused
        await store.update_incident(stale, reason="assigned")
    assert [c.seq for c in await store.incident_changes()] == [1, 2]
    assert await store.incident_feed_head() == 2


async def test_racing_writes_of_many_incidents_number_the_feed_without_gaps(
    store: GraphStore,
) -> None:
    async def open_and_assign(number: int) -> None:
        first = version_after(None, [report({"Customer:A": "T1"})])
        incident = open_incident(
            f"inc-{number:016x}", first, source=f"Warehouse:W{number}", starts_at=T0,
            note="", actor="ops",
        )  # fmt: skip
        await store.open_incident(incident, first)
        await store.update_incident(
            assign(incident, f"owner{number}", at=T0 + timedelta(minutes=1)), reason="assigned"
        )

    await asyncio.gather(*(open_and_assign(n) for n in range(1, 9)))
    changes = await store.incident_changes(limit=MAX_FEED_READ)
    assert [c.seq for c in changes] == list(range(1, 17))
    for number in range(1, 9):  # each incident's own entries keep their order
        mine = [c for c in changes if c.incident_id == f"inc-{number:016x}"]
        assert [(c.revision, c.reason) for c in mine] == [(1, "opened"), (2, "assigned")]


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"after": -1}, ("after",)),
        ({"after": True}, ("after",)),
        ({"after": "0; DROP TABLE incident_changes"}, ("after",)),
        ({"limit": 0}, ("limit",)),
        ({"limit": MAX_FEED_READ + 1}, ("limit",)),
        ({"limit": "1 OR 1=1"}, ("limit",)),
    ],
)
async def test_a_bad_read_of_the_feed_is_refused_at_its_argument(
    store: GraphStore, arguments: dict[str, object], path: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await store.incident_changes(**arguments)  # type: ignore[arg-type]
    assert refused.value.path == path
