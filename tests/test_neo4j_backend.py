"""What only the Neo4j backend promises: its storage layout and its constraints."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from graph_crm.errors import StoreUnavailable
from graph_crm.model.registry import Registry
from graph_crm.model.types import parse_entity_type
from graph_crm.store.base import GraphStore
from graph_crm.store.logs import NEO4J_LOGGER
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.constraints import wanted_constraints
from graph_crm.store.neo4j.statements import cypher
from graph_crm.store.neo4j.store import Neo4jStore
from tests.contract.crm import CUSTOMER, load_chain
from tests.neo4j_env import Neo4jTarget
from tests.registry_history import PORT_SHIP_DOCK, define_ship_and_dock

pytestmark = pytest.mark.neo4j


async def _query(target: Neo4jTarget, text: str) -> list[dict[str, object]]:
    async with AsyncGraphDatabase.driver(target.uri, notifications_min_severity="OFF") as driver:
        records, _, _ = await driver.execute_query(text, database_=target.database)
        return [record.data() for record in records]


async def test_layout_and_constraints(neo4j_store: GraphStore, neo4j_target: Neo4jTarget) -> None:
    await load_chain(neo4j_store)
    rows = await _query(
        neo4j_target,
        "MATCH (n:Entity:Customer {key: 'ACME'}) RETURN n.id AS id, labels(n) AS labels",
    )
    assert len(rows) == 1
    assert rows[0]["id"] == "Customer:ACME"
    assert sorted(rows[0]["labels"]) == ["Customer", "Entity"]  # type: ignore[call-overload]
    names = {
        row["name"]
        for row in await _query(
            neo4j_target,
            "SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH 'graph_crm_' RETURN name",
        )
    }
    assert {
        "graph_crm_key_Customer",
        "graph_crm_key_Competitor",
        "graph_crm_unique_Customer_email",
    } <= names
    # the database itself refuses a duplicate key, even from outside graph-crm
    with pytest.raises(ConstraintError):
        await _query(neo4j_target, "CREATE (:Entity:Customer {key: 'ACME'})")
    with pytest.raises(ConstraintError):
        await _query(neo4j_target, "CREATE (:Entity:Customer {key: 'X', email: 'ops@acme.cn'})")
    relaxed = {
        **CUSTOMER,
        "properties": [
            {**p, "unique": False} if p["name"] == "email" else p for p in CUSTOMER["properties"]
        ],
    }
    await neo4j_store.alter_entity_type(relaxed)
    names = {
        row["name"] for row in await _query(neo4j_target, "SHOW CONSTRAINTS YIELD name RETURN name")
    }
    assert "graph_crm_unique_Customer_email" not in names
    assert "graph_crm_key_Customer" in names


async def test_reopening_sees_the_same_registry(
    neo4j_store: GraphStore, neo4j_target: Neo4jTarget
) -> None:
    await load_chain(neo4j_store)
    again = await Neo4jStore.open(neo4j_target.uri, database=neo4j_target.database)
    try:
        assert await again.registry() == await neo4j_store.registry()
        assert await again.counts() == await neo4j_store.counts()
    finally:
        await again.close()


async def test_a_database_with_one_change_per_version_takes_batches_once_reopened(
    neo4j_store: GraphStore, neo4j_target: Neo4jTarget
) -> None:
    await neo4j_store.define_entity_type({"name": "Port"})
    # the constraint an older graph-crm made, in place of the (version, step) one
    await _query(neo4j_target, "DROP CONSTRAINT graph_crm_registry_change_step IF EXISTS")
    await _query(
        neo4j_target,
        "CREATE CONSTRAINT graph_crm_registry_change_version IF NOT EXISTS "
        "FOR (c:`_GraphCrmChange`) REQUIRE c.version IS UNIQUE",
    )
    await _query(neo4j_target, "MATCH (c:`_GraphCrmChange`) REMOVE c.step")
    again = await Neo4jStore.open(neo4j_target.uri, database=neo4j_target.database)
    try:
        assert await define_ship_and_dock(again) == PORT_SHIP_DOCK
    finally:
        await again.close()
    names = {row["name"] for row in await _query(neo4j_target, "SHOW CONSTRAINTS YIELD name")}
    assert "graph_crm_registry_change_step" in names
    assert "graph_crm_registry_change_version" not in names


async def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailable):
        await Neo4jStore.open("bolt://127.0.0.1:9")


async def test_a_definition_leaves_another_process_pending_constraints(
    neo4j_store: GraphStore,
) -> None:
    """Another process creates its new type's constraints before its registry change
    commits; a definition committed here meanwhile must not drop them."""
    assert isinstance(neo4j_store, Neo4jStore)
    pending, _ = Registry().define_entity_type(
        parse_entity_type(
            {"name": "Pending", "properties": [{"name": "code", "kind": "STRING", "unique": True}]}
        ),
        actor="other-process",
        at=datetime.now(UTC),
    )
    made = wanted_constraints(pending)
    assert len(made) == 2  # its key and its unique property
    for statement in made.values():
        await neo4j_store.session.db.transactions.auto(statement)
    await neo4j_store.define_entity_type(CUSTOMER)
    names = {
        row["name"]
        for row in await neo4j_store.session.db.transactions.auto(cypher(q.CONSTRAINT_LIST))
    }
    assert set(made) <= names
    # a dropped type's constraints go with it
    await neo4j_store.define_entity_type({"name": "Gone", "properties": []})
    await neo4j_store.drop_entity_type("Gone")
    names = {
        row["name"]
        for row in await neo4j_store.session.db.transactions.auto(cypher(q.CONSTRAINT_LIST))
    }
    assert not any("Gone" in name for name in names)
    assert set(made) <= names


def _events(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == NEO4J_LOGGER and getattr(record, "event", None) == event
    ]


async def test_runtime_state_counts_units_of_work_and_retries(neo4j_store: GraphStore) -> None:
    assert neo4j_store.runtime_state() == {"units_running": 0.0, "retries_total": 0.0}
    await load_chain(neo4j_store)
    assert neo4j_store.runtime_state()["units_running"] == 0


async def test_a_deadlock_is_retried_counted_and_logged(
    neo4j_store: GraphStore, neo4j_target: Neo4jTarget, caplog: pytest.LogCaptureFixture
) -> None:
    """Two transactions each lock one node and then want the other's: the server detects
    the deadlock and fails one of them, a transient failure the store retries."""
    assert isinstance(neo4j_store, Neo4jStore)
    await _query(neo4j_target, "CREATE (:DeadlockProbe {k: 'x'}), (:DeadlockProbe {k: 'y'})")
    locked = {"x": asyncio.Event(), "y": asyncio.Event()}

    def crossing(mine: str, theirs: str) -> Callable[[AsyncManagedTransaction], Awaitable[None]]:
        async def work(tx: AsyncManagedTransaction) -> None:
            for key in (mine, theirs):
                result = await tx.run(
                    "MATCH (n:DeadlockProbe {k: $key}) SET n.by = $mine", key=key, mine=mine
                )
                await result.consume()
                if key == mine:
                    locked[mine].set()
                    await locked[theirs].wait()

        return work

    caplog.set_level(logging.INFO, logger=NEO4J_LOGGER)
    session = neo4j_store.session
    async with asyncio.timeout(60):
        await asyncio.gather(
            session.db.write(crossing("x", "y")), session.db.write(crossing("y", "x"))
        )
    assert neo4j_store.runtime_state()["retries_total"] >= 1
    retries = _events(caplog, "retry")
    assert retries
    assert retries[0].reason == "transient"  # type: ignore[attr-defined]
    assert "DeadlockDetected" in retries[0].error  # type: ignore[attr-defined]
    assert retries[0].attempt == 1  # type: ignore[attr-defined]


async def test_with_a_threshold_of_zero_every_unit_of_work_is_logged_as_slow(
    neo4j_store: GraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    assert isinstance(neo4j_store, Neo4jStore)
    neo4j_store.session.db.transactions.slow_statement_ms = 0
    caplog.set_level(logging.WARNING, logger=NEO4J_LOGGER)
    await neo4j_store.define_entity_type(CUSTOMER)
    slow = _events(caplog, "slow_statement")
    assert slow
    assert all(record.threshold_ms == 0 for record in slow)  # type: ignore[attr-defined]
    assert all(record.backend == "neo4j" for record in slow)  # type: ignore[attr-defined]
    works = {record.work for record in slow}  # type: ignore[attr-defined]
    assert any(work.startswith("SHOW CONSTRAINTS") for work in works), works


async def _constraint_names(target: Neo4jTarget) -> set[str]:
    return {
        str(row["name"]) for row in await _query(target, "SHOW CONSTRAINTS YIELD name RETURN name")
    }


async def test_a_type_owns_the_unique_constraints_on_its_label(
    neo4j_store: GraphStore, neo4j_target: Neo4jTarget
) -> None:
    # what an interrupted definition change, or a type dropped and defined again, leaves
    await _query(
        neo4j_target,
        "CREATE CONSTRAINT graph_crm_unique_Ghost_email IF NOT EXISTS "
        "FOR (n:Ghost) REQUIRE n.email IS UNIQUE",
    )
    await _query(
        neo4j_target,
        "CREATE CONSTRAINT graph_crm_key_Ghost IF NOT EXISTS FOR (n:Ghost) REQUIRE n.key IS UNIQUE",
    )
    reopened = await Neo4jStore.open(neo4j_target.uri, database=neo4j_target.database)
    try:
        # no type Ghost: nothing can write one, so opening leaves both in place
        assert {"graph_crm_unique_Ghost_email", "graph_crm_key_Ghost"} <= await _constraint_names(
            neo4j_target
        )
        ghost = {"name": "Ghost", "properties": [{"name": "email", "kind": "STRING"}]}
        await reopened.define_entity_type(ghost)
        # the definition wants no unique email: the one on its label goes, the key stays
        names = await _constraint_names(neo4j_target)
        assert "graph_crm_unique_Ghost_email" not in names
        assert "graph_crm_key_Ghost" in names
        rows = [{"key": "A", "email": "same@x.cn"}, {"key": "B", "email": "same@x.cn"}]
        assert (await reopened.upsert_entities("Ghost", rows)).created == 2
        # a type dropped takes its key constraint with it
        await reopened.delete_entities(["Ghost:A", "Ghost:B"])
        await reopened.drop_entity_type("Ghost")
        assert "graph_crm_key_Ghost" not in await _constraint_names(neo4j_target)
    finally:
        await reopened.close()


async def test_opening_heals_a_defined_type_s_unwanted_unique_constraint(
    neo4j_store: GraphStore, neo4j_target: Neo4jTarget
) -> None:
    await neo4j_store.define_entity_type(
        {"name": "Ghost", "properties": [{"name": "email", "kind": "STRING"}]}
    )
    # an alter that dropped `unique` and was stopped before its clean-up leaves this
    await _query(
        neo4j_target,
        "CREATE CONSTRAINT graph_crm_unique_Ghost_email IF NOT EXISTS "
        "FOR (n:Ghost) REQUIRE n.email IS UNIQUE",
    )
    reopened = await Neo4jStore.open(neo4j_target.uri, database=neo4j_target.database)
    try:
        assert "graph_crm_unique_Ghost_email" not in await _constraint_names(neo4j_target)
        rows = [{"key": "A", "email": "same@x.cn"}, {"key": "B", "email": "same@x.cn"}]
        assert (await reopened.upsert_entities("Ghost", rows)).created == 2
    finally:
        await reopened.close()
