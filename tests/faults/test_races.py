"""Concurrency, harder than tests/contract/test_concurrency.py: no lost or mixed updates
among writers on several connections, and definitions raced across processes."""

from __future__ import annotations

import asyncio
import contextlib
import random
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_crm.auth.roles import Role
from graph_crm.errors import UniqueViolation
from graph_crm.model.graph import Entity, WriteResult
from graph_crm.services.api_keys import create_key
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.api.graphql import DEFINE_ENTITY_TYPE
from tests.faults.processes import ApiProcess
from tests.faults.watch import neo4j_admin
from tests.neo4j_env import Neo4jTarget, open_neo4j_store, reset_database

pytestmark = pytest.mark.faults

WRITERS = 16
CONNECTIONS = 4  # store instances on the same database, as worker processes would have
KEYS = 150
TIERS = ("GOLD", "SILVER", "BRONZE")
ACCOUNT: dict[str, Any] = {
    "name": "Account",
    "properties": [
        {"name": "name", "kind": "STRING", "required": True},
        {"name": "email", "kind": "STRING", "unique": True},
        {"name": "tier", "kind": "ENUM", "values": list(TIERS)},
        {"name": "revenue", "kind": "FLOAT"},
        {"name": "writer", "kind": "INT"},
        {"name": "note", "kind": "STRING"},
    ],
}
SITE: dict[str, Any] = {
    "name": "Site",
    "properties": [{"name": "name", "kind": "STRING", "required": True}],
}
SERVES: dict[str, Any] = {
    "name": "SERVES",
    "from": "Account",
    "to": "Site",
    "properties": [
        {"name": "writer", "kind": "INT"},
        {"name": "weight", "kind": "FLOAT"},
    ],
}


def _account(writer: int, number: int) -> dict[str, Any]:
    """Writer ``writer``'s version of account ``number``: every field says who wrote it."""
    return {
        "key": f"A{number:03d}",
        "name": f"account {number} by writer {writer}",
        "email": f"account-{number}@example.com",  # the same unique value for every writer
        "tier": TIERS[writer % 3],
        "revenue": writer * 1000.0 + number,
        "writer": writer,
        "note": f"w{writer}",
    }


def _link(writer: int, number: int) -> dict[str, Any]:
    return {
        "from": f"A{number:03d}",
        "to": f"S{number:03d}",
        "properties": {"writer": writer, "weight": writer / WRITERS},
    }


@pytest.fixture
async def connections(
    store: GraphStore, backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[list[GraphStore]]:
    """``store`` and more stores on the same database, each with its own connection(s)."""
    twins: list[GraphStore] = []
    try:
        for _ in range(CONNECTIONS - 1):
            if backend == "neo4j":
                twins.append(await open_neo4j_store(request.getfixturevalue("neo4j_target")))
            else:
                twins.append(await EmbeddedStore.open(tmp_path / "graph.db"))
        yield [store, *twins]
    finally:
        for twin in twins:
            await twin.close()


async def test_racing_writers_lose_and_mix_nothing(
    connections: list[GraphStore], backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    store = connections[0]
    await store.define_entity_type(ACCOUNT)
    await store.define_entity_type(SITE)
    await store.define_relation_type(SERVES)
    await store.upsert_entities(
        "Site", [{"key": f"S{number:03d}", "name": f"site {number}"} for number in range(KEYS)]
    )

    async def writer(number: int) -> tuple[WriteResult, WriteResult]:
        mine = connections[number % CONNECTIONS]
        order = list(range(KEYS))
        random.Random(number).shuffle(order)  # lock order differs between writers
        written = await mine.upsert_entities("Account", [_account(number, n) for n in order])
        linked = await mine.link("SERVES", [_link(number, n) for n in order])
        return written, linked

    results = await asyncio.gather(*(writer(number) for number in range(WRITERS)))

    # Each key was created exactly once; every writer's batch was applied whole.
    for written, linked in results:
        assert written.created + written.updated + written.unchanged == KEYS
        assert linked.created + linked.updated + linked.unchanged == KEYS
    assert sum(written.created for written, _ in results) == KEYS
    assert sum(linked.created for _, linked in results) == KEYS
    counts = await store.counts()
    assert counts.entities == {"Account": KEYS, "Site": KEYS}
    assert counts.relations == {"SERVES": KEYS}

    # Every entity and relation holds one writer's complete row, never a mix.
    accounts = await _accounts(store)
    assert len(accounts) == KEYS
    for account in accounts:
        number = int(account.key[1:])
        expected = _account(account.properties["writer"], number)
        assert {"key": account.key, **account.properties} == expected
        assert account.created_at <= account.updated_at
    relations = [rel async for chunk in store.iter_relations("SERVES") for rel in chunk]
    assert len(relations) == KEYS
    for relation in relations:
        by = relation.properties["writer"]
        assert relation.properties == {"writer": by, "weight": by / WRITERS}

    # Stored revisions match stored rows: writing back what is there changes nothing.
    final_rows = [{"key": a.key, **a.properties} for a in accounts]
    again = await connections[1].upsert_entities("Account", final_rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, KEYS)
    final_links = [
        {"from": r.from_id, "to": r.to_id, "properties": r.properties} for r in relations
    ]
    relinked = await connections[2].link("SERVES", final_links)
    assert (relinked.created, relinked.updated, relinked.unchanged) == (0, 0, KEYS)
    unchanged = {a.key: a.updated_at for a in await _accounts(store)}
    assert unchanged == {a.key: a.updated_at for a in accounts}

    # The constraints still hold.
    with pytest.raises(UniqueViolation):
        await store.upsert_entities(
            "Account",
            [{**_account(0, 0), "key": "A-NEW"}],  # A000's email
        )
    if backend == "neo4j":
        target: Neo4jTarget = request.getfixturevalue("neo4j_target")
        with neo4j_admin(target.uri) as admin:
            records, _, _ = admin.execute_query(
                "MATCH (n:Account) WITH n.key AS key, count(*) AS copies "
                "RETURN max(copies) AS most, count(key) AS keys"
            )
            assert (records[0]["most"], records[0]["keys"]) == (1, KEYS)
    else:
        with contextlib.closing(sqlite3.connect(tmp_path / "graph.db")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def _accounts(store: GraphStore) -> list[Entity]:
    return [entity async for chunk in store.iter_entities("Account") for entity in chunk]


def _race_type(name: str) -> dict[str, Any]:
    return {"name": name, "properties": [{"name": "city", "kind": "STRING"}]}


async def _define(client: httpx.AsyncClient, name: str) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": DEFINE_ENTITY_TYPE, "variables": {"input": _race_type(name)}}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["data"]["defineEntityType"]
    return result


async def _race(one: httpx.AsyncClient, two: httpx.AsyncClient) -> list[str]:
    """Five rounds of both servers defining the same type, one of each defining another:
    the names defined."""
    names = [f"Race{round_}" for round_ in range(5)]
    for name in names:
        results = await asyncio.gather(_define(one, name), _define(two, name))
        kinds = sorted(result["__typename"] for result in results)
        assert kinds == ["EntityTypePayload", "Error"], results
        (lost,) = [r for r in results if r["__typename"] == "Error"]
        assert lost["code"] == "TYPE_EXISTS", lost
        assert lost["message"], lost
    # Two different types at once: both are defined, one version each.
    both = await asyncio.gather(_define(one, "RaceEast"), _define(two, "RaceWest"))
    assert [r["__typename"] for r in both] == ["EntityTypePayload"] * 2, both
    assert sorted(r["schemaVersion"] for r in both) == [6, 7]
    names += ["RaceEast", "RaceWest"]
    # Both processes see the same registry: its version and its types.
    for client in (one, two):
        health = (await client.get("/healthz")).json()
        assert health["registryVersion"] == 7, health
        listed = await client.post("/graphql", json={"query": "{ entityTypes { name } }"})
        assert {t["name"] for t in listed.json()["data"]["entityTypes"]} == set(names)
    return names


async def test_definitions_raced_across_processes_one_wins(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Two `graph-crm serve` processes on one database define the same type at once."""
    store: GraphStore
    if backend == "neo4j":
        target: Neo4jTarget = request.getfixturevalue("neo4j_target")
        await reset_database(target)
        store = await open_neo4j_store(target)
        options = ["--backend", "neo4j", "--neo4j-uri", target.uri]
        env = {
            "GRAPH_CRM_NEO4J_USER": target.user,
            "GRAPH_CRM_NEO4J_PASSWORD": target.password,
            "GRAPH_CRM_NEO4J_DATABASE": target.database,
        }
    else:
        store = await EmbeddedStore.open(tmp_path / "race.db")
        options, env = ["--db", str(tmp_path / "race.db")], {}
    try:
        token = await create_key(store, "faults", Role.CONFIG_OFFICER, actor="faults")
        servers = [ApiProcess(tmp_path / f"server-{n}.log", options, env) for n in range(2)]
        try:
            for server in servers:
                server.start()
            headers = {"Authorization": f"Bearer {token}"}
            async with (
                httpx.AsyncClient(base_url=servers[0].base, headers=headers, timeout=60) as one,
                httpx.AsyncClient(base_url=servers[1].base, headers=headers, timeout=60) as two,
            ):
                names = await _race(one, two)
        finally:
            for server in servers:
                server.stop()
        registry = await store.registry()
        changes = await store.registry_changes()
        assert registry.version == 7
        assert [change.version for change in changes] == list(range(1, 8))
        assert sorted(change.name for change in changes) == sorted(names)
    finally:
        await store.close()
