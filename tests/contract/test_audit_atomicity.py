"""A change and its audit record are one transaction: never one without the other.

The database itself is made to refuse one half of a write, by a real mechanism, never
a mock of the store: on SQLite a trigger that aborts the insert; on Neo4j a uniqueness
constraint that the statement breaks. Then the other half must be gone too.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import pytest
from neo4j import AsyncGraphDatabase

from graph_crm.auth.keys import ApiKey
from graph_crm.auth.roles import Role
from graph_crm.errors import AuditFailed, UniqueViolation
from graph_crm.model.audit import record as audit_record
from graph_crm.model.graph import Entity
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.contract.crm import CHAIN, CUSTOMER, load_chain
from tests.contract.snapshot import snapshot
from tests.neo4j_env import Neo4jTarget

T0 = datetime(2026, 12, 1, tzinfo=UTC)
#: The id every audit record gets while the audit is refused on Neo4j: already taken.
TAKEN = "taken-audit-id"


class Refusal(Protocol):
    async def refuse_audit(self) -> None: ...

    async def refuse_customer_named(self, name: str) -> None: ...


class SqliteRefusal:
    """Triggers installed from a second connection, as another process could."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.path = store.path

    def _run(self, statement: str) -> None:
        with sqlite3.connect(self.path) as conn:
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


class Neo4jRefusal:
    """Uniqueness constraints the server enforces inside the store's transactions."""

    def __init__(self, target: Neo4jTarget, monkeypatch: pytest.MonkeyPatch) -> None:
        self.target = target
        self.monkeypatch = monkeypatch

    async def _run(self, *statements: str) -> None:
        auth = (self.target.user, self.target.password) if self.target.password else None
        async with AsyncGraphDatabase.driver(self.target.uri, auth=auth) as driver:
            for statement in statements:
                await driver.execute_query(statement, database_=self.target.database)

    async def refuse_audit(self) -> None:
        # Named graph_crm_*, so the next test's reset drops it.
        await self._run(
            "CREATE CONSTRAINT graph_crm_test_audit_id IF NOT EXISTS "
            "FOR (a:`_GraphCrmAudit`) REQUIRE a.id IS UNIQUE",
            f"CREATE (:`_GraphCrmAudit` {{id: '{TAKEN}', at: '2000-01-01T00:00:00.000000Z', "
            "actor: 'test', action: 'upsert', kind: 'entity', ids: [], summary: '{}'})",
        )
        self.monkeypatch.setattr(audit_record, "new_audit_id", lambda: TAKEN)

    async def refuse_customer_named(self, name: str) -> None:
        await self._run(
            "CREATE CONSTRAINT graph_crm_test_customer_name IF NOT EXISTS "
            "FOR (n:Customer) REQUIRE n.name IS UNIQUE",
            f"CREATE (:Stray:Customer {{key: 'STRAY', name: '{name}'}})",
        )


def key(key_id: str) -> ApiKey:
    return ApiKey(
        id=key_id,
        name="loader",
        role=Role.INTEGRATION,
        secret_hash=hashlib.sha256(key_id.encode()).hexdigest(),
        created_at=T0,
        created_by="admin",
    )


Write = Callable[[GraphStore], Awaitable[Any]]
WRITES: dict[str, Write] = {
    "define entity type": lambda s: s.define_entity_type({"name": "Broker"}, actor="x"),
    "alter entity type": lambda s: s.alter_entity_type(
        {**CUSTOMER, "properties": [*CUSTOMER["properties"], {"name": "vat", "kind": "STRING"}]},
        actor="x",
    ),
    "drop entity type": lambda s: s.drop_entity_type("Spare", actor="x"),
    "define relation type": lambda s: s.define_relation_type(
        {"name": "KNOWS", "from": "Buyer", "to": "Buyer"}, actor="x"
    ),
    "upsert": lambda s: s.upsert_entities(
        "Customer", [{"key": "NEW", "name": "New"}, {"key": "BETA", "name": "Beta AG"}], actor="x"
    ),
    "link": lambda s: s.link("EMPLOYS", [{"from": "ACME-SH", "to": "B3"}], actor="x"),
    "unlink": lambda s: s.unlink("EMPLOYS", [{"from": "ACME-SH", "to": "B1"}], actor="x"),
    "delete": lambda s: s.delete_entities(["Customer:ACME", "Buyer:B2"], actor="x"),
    "restore entities": lambda s: s.restore_entities(
        "Buyer", [Entity("Buyer", "B9", {"name": "Nine"}, T0, T0)], actor="x"
    ),
    "add key": lambda s: s.add_api_key(key("00000000000000b2")),
    "revoke key": lambda s: s.revoke_api_key("00000000000000b1", at=T0, actor="x"),
}


async def state(store: GraphStore) -> tuple[Any, ...]:
    everything = await store.audit_log(first=1_000)
    return (
        await snapshot(store),
        everything.items,
        await store.api_keys(),
        await store.traverse(["Customer:ACME"], CHAIN),
    )


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_refused_audit_record_rolls_the_change_back(
    store: GraphStore, refusal: Refusal, name: str
) -> None:
    await load_chain(store)
    await store.define_entity_type({"name": "Spare"})
    await store.add_api_key(key("00000000000000b1"))
    before = await state(store)  # the embedded mirror is built here
    await refusal.refuse_audit()
    with pytest.raises(AuditFailed) as refused:
        await WRITES[name](store)
    assert refused.value.code == "AUDIT_FAILED"
    after = await state(store)
    if store.backend == "neo4j":  # the node holding the taken id is in the log now
        assert [r.id for r in after[1]] == [TAKEN] + [r.id for r in before[1]]
        after = (after[0], after[1][1:], *after[2:])
    assert after == before
    assert (await store.registry()).version == 11


async def test_a_refused_data_statement_leaves_no_record(
    store: GraphStore, refusal: Refusal
) -> None:
    await load_chain(store)
    await refusal.refuse_customer_named("Taken")
    before = (await store.audit_log(first=1_000)).items
    rows = [{"key": "OK", "name": "Fine"}, {"key": "NO", "name": "Taken"}]
    with pytest.raises(UniqueViolation):
        await store.upsert_entities("Customer", rows, actor="x")
    assert (await store.audit_log(first=1_000)).items == before
    assert await store.get_entities(["Customer:OK", "Customer:NO"]) == [None, None]
    await store.upsert_entities("Customer", rows[:1], actor="x")
    assert (await store.audit_log(actor="x")).items[0].ids == ("Customer:OK",)
