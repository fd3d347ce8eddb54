"""Time budgets on the real Neo4j server: the transaction timeout stops a slow statement,
a write stopped so is rolled back, the guard never retries it, and a call whose client
went away leaves no transaction running on the server.

The slow statement counts through a range it never finishes in practice (a cartesian
product of UNWINDs), so what stops it is the budget, whatever the machine. ``_GUARD``
only keeps a broken store from hanging the suite.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final, LiteralString

import pytest
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction

from graph_crm.errors import TimedOut
from graph_crm.store.budget import WorkBudget, work_budget
from graph_crm.store.neo4j.statements import fetch
from graph_crm.store.neo4j.store import Neo4jStore
from tests.neo4j_env import Neo4jTarget

pytestmark = pytest.mark.neo4j

SLOW_READ: Final = (
    "UNWIND range(1, 1000000) AS a UNWIND range(1, 1000000) AS b "
    "WITH a, b WHERE a + b < 0 RETURN count(*) AS found"
)
#: One node created, then the same endless count, in one transaction.
SLOW_WRITE: Final = (
    "CREATE (:Entity:SlowGhost {key: 'GHOST'}) WITH 1 AS one "
    "UNWIND range(1, 1000000) AS a UNWIND range(1, 1000000) AS b "
    "WITH a, b WHERE a + b < 0 RETURN count(*) AS found"
)
_GUARD: Final = 60.0


async def _server_rows(target: Neo4jTarget, text: LiteralString) -> list[dict[str, Any]]:
    async with AsyncGraphDatabase.driver(target.uri, notifications_min_severity="OFF") as driver:
        records, _, _ = await driver.execute_query(text, database_=target.database)
        return [record.data() for record in records]


async def _running_slow(target: Neo4jTarget) -> int:
    rows = await _server_rows(
        target,
        "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery STARTS WITH 'UNWIND range' "
        "RETURN count(*) AS running",
    )
    return int(rows[0]["running"])


@pytest.fixture
async def store(neo4j_store: Neo4jStore) -> Neo4jStore:
    return neo4j_store


async def test_a_slow_read_is_stopped_by_the_server_and_never_retried(store: Neo4jStore) -> None:
    attempts = 0

    async def work(tx: AsyncManagedTransaction) -> list[dict[str, Any]]:
        nonlocal attempts
        attempts += 1
        return await fetch(tx, SLOW_READ)

    async with asyncio.timeout(_GUARD):
        with work_budget(WorkBudget(seconds=0.2)), pytest.raises(TimedOut, match="0.2 s budget"):
            await store.session.db.read(work)
    assert attempts == 1
    await store.define_entity_type({"name": "Thing"})  # the store goes on answering
    assert (await store.counts()).entities == {"Thing": 0}


async def test_a_slow_write_is_stopped_and_rolled_back(
    store: Neo4jStore, neo4j_target: Neo4jTarget
) -> None:
    async with asyncio.timeout(_GUARD):
        with work_budget(WorkBudget(seconds=0.2)), pytest.raises(TimedOut):
            await store.session.db.write(lambda tx: fetch(tx, SLOW_WRITE))
    rows = await _server_rows(neo4j_target, "MATCH (n:SlowGhost) RETURN count(n) AS ghosts")
    assert rows == [{"ghosts": 0}]


async def test_a_call_whose_client_went_away_leaves_nothing_running(
    store: Neo4jStore, neo4j_target: Neo4jTarget
) -> None:
    async with asyncio.timeout(_GUARD):
        with work_budget(WorkBudget(seconds=600.0)):
            slow = asyncio.ensure_future(store.session.db.read(lambda tx: fetch(tx, SLOW_READ)))
        while not await _running_slow(neo4j_target):
            await asyncio.sleep(0.05)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        # the driver dropped the connection, and the server ended its transaction
        while await _running_slow(neo4j_target):
            await asyncio.sleep(0.05)
    assert (await store.counts()).entities == {}
