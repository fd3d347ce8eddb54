"""What only the Neo4j backend promises: its storage layout and its constraints."""

from __future__ import annotations

import pytest
from neo4j import AsyncGraphDatabase
from neo4j.exceptions import ConstraintError

from graph_crm.errors import StoreUnavailable
from graph_crm.store.base import GraphStore
from graph_crm.store.neo4j.store import Neo4jStore
from tests.contract.crm import CUSTOMER, load_chain
from tests.neo4j_env import Neo4jTarget

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


async def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailable):
        await Neo4jStore.open("bolt://127.0.0.1:9")
