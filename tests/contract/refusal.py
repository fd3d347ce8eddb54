"""Make a store's own database refuse one half of a write, by a real mechanism: on
SQLite a trigger that aborts the insert, on Neo4j a uniqueness constraint the statement
breaks (the ``refusal`` fixture in tests/conftest.py picks the one for the store)."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Protocol

import pytest
from neo4j import AsyncGraphDatabase

from graph_crm.model.audit import record as audit_record
from graph_crm.store.embedded.store import EmbeddedStore
from tests.neo4j_env import Neo4jTarget

#: The id every audit record gets while the audit is refused on Neo4j: already taken, by
#: a record the refusal plants (it shows in the log; nothing else does).
TAKEN = "taken-audit-id"


class Refusal(Protocol):
    async def refuse_audit(self) -> None: ...

    async def refuse_customer_named(self, name: str) -> None: ...

    async def lift(self) -> None:
        """Remove what the refusals installed or planted (the fixture does, after the test)."""


class SqliteRefusal:
    """Triggers installed from a second connection, as another process could."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.path = store.path

    def _run(self, statement: str) -> None:
        with contextlib.closing(sqlite3.connect(self.path)) as conn, conn:
            conn.execute(statement)

    async def refuse_audit(self) -> None:
        self._run(
            "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit "
            "BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END"
        )

    async def refuse_customer_named(self, name: str) -> None:
        self._run(
            "CREATE TRIGGER test_refuse_customer BEFORE INSERT ON entities "
            f"WHEN NEW.type = 'Customer' AND json_extract(NEW.props, '$.name') = '{name}' "
            "BEGIN SELECT RAISE(ABORT, 'customer refused by the test'); END"
        )

    async def lift(self) -> None:
        self._run("DROP TRIGGER IF EXISTS test_refuse_audit")
        self._run("DROP TRIGGER IF EXISTS test_refuse_customer")


class Neo4jRefusal:
    """Uniqueness constraints the server enforces inside the store's transactions."""

    def __init__(self, target: Neo4jTarget, monkeypatch: pytest.MonkeyPatch) -> None:
        self.target = target
        self.monkeypatch = monkeypatch
        self.installed: list[str] = []  # what lift() removes (new_audit_id: monkeypatch)

    async def _run(self, *statements: str) -> None:
        auth = (self.target.user, self.target.password) if self.target.password else None
        async with AsyncGraphDatabase.driver(self.target.uri, auth=auth) as driver:
            for statement in statements:
                await driver.execute_query(statement, database_=self.target.database)

    async def refuse_audit(self) -> None:
        # The constraint stays (resets keep constraints): audit ids are random, so it
        # refuses no other record, and dropping it would make Neo4j plan every query again.
        self.installed += [f"MATCH (a:`_GraphCrmAudit` {{id: '{TAKEN}'}}) DELETE a"]
        await self._run(
            "CREATE CONSTRAINT graph_crm_test_audit_id IF NOT EXISTS "
            "FOR (a:`_GraphCrmAudit`) REQUIRE a.id IS UNIQUE",
            f"CREATE (:`_GraphCrmAudit` {{id: '{TAKEN}', at: '2000-01-01T00:00:00.000000Z', "
            "actor: 'test', action: 'upsert', kind: 'entity', ids: [], summary: '{}'})",
        )
        self.monkeypatch.setattr(audit_record, "new_audit_id", lambda: TAKEN)

    async def refuse_customer_named(self, name: str) -> None:
        self.installed += [
            "DROP CONSTRAINT graph_crm_test_customer_name IF EXISTS",
            "MATCH (n:Stray) DETACH DELETE n",
        ]
        await self._run(
            "CREATE CONSTRAINT graph_crm_test_customer_name IF NOT EXISTS "
            "FOR (n:Customer) REQUIRE n.name IS UNIQUE",
            f"CREATE (:Stray:Customer {{key: 'STRAY', name: '{name}'}})",
        )

    async def lift(self) -> None:
        if self.installed:
            await self._run(*self.installed)
            self.installed = []
