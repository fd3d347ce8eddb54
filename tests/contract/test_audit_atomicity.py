"""A change and its audit record are one transaction: never one without the other.

The database itself is made to refuse one half of a write, by a real mechanism, never
a mock of the store: on SQLite a trigger that aborts the insert; on Neo4j a uniqueness
constraint that the statement breaks. Then the other half must be gone too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from graph_crm.auth.keys import ApiKey
from graph_crm.auth.roles import Role
from graph_crm.errors import AuditFailed, UniqueViolation
from graph_crm.model.graph import Entity
from graph_crm.model.registry import ChangeKind
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation
from tests.contract.crm import CHAIN, CUSTOMER, load_chain
from tests.contract.refusal import TAKEN, Refusal
from tests.contract.snapshot import snapshot
from tests.store_fixtures import Loaded

T0 = datetime(2026, 12, 1, tzinfo=UTC)
DEFINE_ENTITY_TYPE = ChangeKind.DEFINE_ENTITY_TYPE
DEFINE_RELATION_TYPE = ChangeKind.DEFINE_RELATION_TYPE
DROP_ENTITY_TYPE = ChangeKind.DROP_ENTITY_TYPE


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
    "apply definitions": lambda s: s.apply_definitions(
        [
            DefinitionOperation(DEFINE_ENTITY_TYPE, {"name": "Broker"}),
            DefinitionOperation(
                DEFINE_RELATION_TYPE, {"name": "ADVISES", "from": "Broker", "to": "Buyer"}
            ),
            DefinitionOperation(DROP_ENTITY_TYPE, "Spare"),
        ],
        actor="x",
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
        tuple(everything.items),
        await store.api_keys(),
        await store.traverse(["Customer:ACME"], CHAIN),
    )


async def load_chain_spare_and_key(store: GraphStore) -> None:
    await load_chain(store)
    await store.define_entity_type({"name": "Spare"})
    await store.add_api_key(key("00000000000000b1"))


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_refused_audit_record_rolls_the_change_back(
    loaded: Loaded, refusal_of: Callable[[GraphStore], Refusal], name: str
) -> None:
    # every write is refused and leaves the store as it was: the tests share its data
    store = await loaded(load_chain_spare_and_key)
    before = await state(store)  # the embedded mirror is built here
    version = (await store.registry()).version
    await refusal_of(store).refuse_audit()
    with pytest.raises(AuditFailed) as refused:
        await WRITES[name](store)
    assert refused.value.code == "AUDIT_FAILED"
    after = await state(store)
    # a record holding the taken id is the refusal's own (Neo4j), never the write's
    after = (after[0], tuple(record for record in after[1] if record.id != TAKEN), *after[2:])
    assert after == before
    assert (await store.registry()).version == version


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
