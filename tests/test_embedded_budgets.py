"""The embedded store keeps serving while one call is slow, and stops a call that ran out of
time, lost its client, or outlived the store.

A "slow" call here never ends by itself: a recursive query counting without end, run on
the store's own threads through its private helpers. Assertions are about order and
outcome, never about wall-clock time; ``_GUARD`` only keeps a broken store from hanging
the suite.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import pytest

from graph_crm.auth.keys import new_api_key
from graph_crm.errors import StoreUnavailable, TimedOut
from graph_crm.store.budget import WorkBudget, work_budget
from graph_crm.store.embedded.calls import READERS
from graph_crm.store.embedded.mirror import Mirror
from graph_crm.store.embedded.store import EmbeddedStore
from tests.contract.crm import CHAIN, load_chain

#: A statement that runs until it is stopped.
ENDLESS: Final = (
    "WITH RECURSIVE c (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c) SELECT count(*) FROM c"
)
#: How long a test waits for what must happen promptly before calling the store broken.
_GUARD: Final = 60.0


def endless_read(store: EmbeddedStore, started: threading.Event) -> Awaitable[Any]:
    """A read on a reader thread that runs until it is stopped."""

    def run() -> Any:
        started.set()
        return store.session.db.conn.execute(ENDLESS).fetchone()

    return store.session.db.read(run)


def endless_write(store: EmbeddedStore, started: threading.Event) -> Awaitable[Any]:
    """A write that inserts a Buyer, then runs until it is stopped, in one transaction."""

    def run() -> Any:
        with store.session.db.write() as conn:
            conn.execute(
                "INSERT INTO entities (type, key, props, rev, created_at, updated_at) "
                "VALUES ('Buyer', 'GHOST', '{\"name\": \"Ghost\"}', '', '', '')"
            )
            started.set()
            return conn.execute(ENDLESS).fetchone()

    return store.session.db.call(run)


async def started(event: threading.Event) -> None:
    async with asyncio.timeout(_GUARD):
        await asyncio.to_thread(event.wait)


async def run_slow(
    start: Callable[[EmbeddedStore, threading.Event], Awaitable[Any]], store: EmbeddedStore
) -> asyncio.Task[Any]:
    event = threading.Event()
    task = asyncio.ensure_future(start(store, event))
    await started(event)
    return task


@pytest.fixture
async def chain_store(tmp_path: Path) -> Any:
    store = await EmbeddedStore.open(tmp_path / "crm.db")
    try:
        await load_chain(store)
        yield store
    finally:
        await store.close()


async def test_while_a_slow_read_runs_every_other_call_answers(
    chain_store: EmbeddedStore,
) -> None:
    store = chain_store
    key, _ = new_api_key("reader", "analyst", created_by="admin", now=datetime.now(UTC))
    await store.add_api_key(key)
    with work_budget(WorkBudget(seconds=600.0)):
        slow = await run_slow(endless_read, store)
    async with asyncio.timeout(_GUARD):
        await store.ping()
        assert await store.api_key(key.id) == key
        assert (await store.registry()).entity_types.keys() >= {"Customer", "Buyer"}
        (acme,) = await store.get_entities(["Customer:ACME"])
        assert acme is not None
        assert (await store.traverse(["Customer:ACME"], CHAIN)).reached
        await store.upsert_entities("Buyer", [{"key": "B7", "name": "Seven"}])
        assert (await store.list_entities("Buyer", where={"key": {"eq": "B7"}})).total_count == 1
    assert not slow.done()  # all of that while the slow read went on
    slow.cancel()
    with pytest.raises(asyncio.CancelledError):
        await slow


async def test_key_checks_and_health_answer_while_every_reader_is_busy(
    chain_store: EmbeddedStore,
) -> None:
    store = chain_store
    key, _ = new_api_key("reader", "analyst", created_by="admin", now=datetime.now(UTC))
    await store.add_api_key(key)
    slow = [await run_slow(endless_read, store) for _ in range(READERS)]
    async with asyncio.timeout(_GUARD):
        await store.ping()
        assert await store.api_key(key.id) == key
        assert "Customer" in (await store.registry()).entity_types
    assert not any(task.done() for task in slow)
    for task in slow:
        task.cancel()
    await asyncio.gather(*slow, return_exceptions=True)


async def test_a_read_over_its_budget_is_stopped_mid_statement(
    chain_store: EmbeddedStore,
) -> None:
    event = threading.Event()
    with work_budget(WorkBudget(seconds=0.2)), pytest.raises(TimedOut, match="0.2 s budget"):
        await endless_read(chain_store, event)
    assert event.is_set()  # it did start: stopped while it ran
    assert (await chain_store.counts()).entities["Customer"] == 3


async def test_a_write_over_its_budget_is_stopped_and_writes_nothing(
    chain_store: EmbeddedStore,
) -> None:
    store = chain_store
    traversal = await store.traverse(["Customer:ACME"], CHAIN)  # the mirror is built
    event = threading.Event()
    with work_budget(WorkBudget(seconds=0.2)), pytest.raises(TimedOut):
        await endless_write(store, event)
    assert event.is_set()
    assert await store.get_entities(["Buyer:GHOST"]) == [None]
    assert await store.traverse(["Customer:ACME"], CHAIN) == traversal
    await store.upsert_entities("Buyer", [{"key": "B8", "name": "Eight"}])  # still writes


async def test_cancelled_calls_free_their_threads(chain_store: EmbeddedStore) -> None:
    store = chain_store
    reads = [await run_slow(endless_read, store) for _ in range(READERS)]
    write = await run_slow(endless_write, store)
    for task in (*reads, write):
        task.cancel()
    for task in (*reads, write):
        with pytest.raises(asyncio.CancelledError):
            await task
    # every thread was held by a call that never ends by itself: they answer again
    async with asyncio.timeout(_GUARD):
        assert await asyncio.gather(
            *(store.get_entities(["Buyer:GHOST"]) for _ in range(2 * READERS))
        ) == [[None]] * (2 * READERS)
        await store.upsert_entities("Buyer", [{"key": "B9", "name": "Nine"}])
    (written,) = await store.get_entities(["Buyer:B9"])
    assert written is not None


async def test_close_during_slow_calls_returns_and_they_fail_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    store = await EmbeddedStore.open(path)
    await load_chain(store)
    read = await run_slow(endless_read, store)
    write = await run_slow(endless_write, store)
    async with asyncio.timeout(_GUARD):
        await store.close()
        for task in (read, write):
            with pytest.raises(StoreUnavailable, match="closed"):
                await task
    with pytest.raises(StoreUnavailable, match="closed"):
        await store.ping()

    reopened = await EmbeddedStore.open(path)
    try:
        ghost, kept = await reopened.get_entities(["Buyer:GHOST", "Buyer:B1"])
        assert ghost is None
        assert kept is not None
    finally:
        await reopened.close()
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_a_graph_write_waits_for_traversals_then_updates_the_mirror(
    chain_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = chain_store
    before = await store.traverse(["Customer:ACME"], CHAIN)  # the mirror is built
    holding, release = threading.Event(), threading.Event()

    def hold_the_mirror() -> None:
        store.session.db.ensure_mirror()
        holding.set()
        release.wait()

    reader = asyncio.ensure_future(store.session.db.read(hold_the_mirror))
    await started(holding)
    link = asyncio.ensure_future(store.link("MENTIONS", [{"from": "L2", "to": "UMBRELLA"}]))
    async with asyncio.timeout(_GUARD):
        # SQL-only calls answer while the write waits for the traversal to end
        await store.ping()
        await store.get_entities(["Customer:ACME"])
        assert not link.done()
        # a write that cannot get the mirror within its budget writes nothing
        with work_budget(WorkBudget(seconds=0.2)), pytest.raises(TimedOut):
            await store.unlink("MENTIONS", [{"from": "L2", "to": "INITECH"}])
        assert not link.done()
        release.set()
        await reader
        await link

    built: list[int] = []
    load = Mirror.load

    def counted(cls: type[Mirror], conn: sqlite3.Connection, generation: int) -> Mirror:
        built.append(generation)
        return load(conn, generation)

    monkeypatch.setattr(Mirror, "load", classmethod(counted))
    after = await store.traverse(["Customer:ACME"], CHAIN)
    assert built == []  # the link updated the mirror in place, the unlink left it alone
    assert [e.id for e in before.reached] == ["Competitor:GLOBEX", "Competitor:INITECH"]
    assert [e.id for e in after.reached] == [
        "Competitor:GLOBEX",
        "Competitor:INITECH",
        "Competitor:UMBRELLA",
    ]
