"""Entities stored before keys were made canonical stay readable and removable.

Keys written before NFC and the refusal of invisible characters may be stored under a
spelling the checks no longer accept. Each backend's storage is edited behind the store's
back to make one, as an old version would have written it.
"""

from __future__ import annotations

import contextlib
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from neo4j import AsyncGraphDatabase

from graph_crm.errors import InvalidInput, NotFound
from graph_crm.store.base import GraphStore
from tests.contract.crm import CUSTOMER
from tests.neo4j_env import Neo4jTarget

CAFE_NFC = unicodedata.normalize("NFC", "Café")
CAFE_NFD = unicodedata.normalize("NFD", "Café")


async def _rekey(store: GraphStore, request: pytest.FixtureRequest, old: str, new: str) -> None:
    """Store the Customer keyed ``old`` under ``new`` instead, without the store's checks."""
    if store.backend == "neo4j":
        target: Neo4jTarget = request.getfixturevalue("neo4j_target")
        async with AsyncGraphDatabase.driver(
            target.uri, notifications_min_severity="OFF"
        ) as driver:
            await driver.execute_query(
                "MATCH (n:Customer {key: $old}) SET n.key = $new, n.id = 'Customer:' + $new",
                old=old,
                new=new,
                database_=target.database,
            )
        return
    tmp_path: Path = request.getfixturevalue("tmp_path")
    with contextlib.closing(sqlite3.connect(tmp_path / "graph.db")) as conn, conn:
        conn.execute("UPDATE entities SET key = ? WHERE type = 'Customer' AND key = ?", (new, old))
    conn.close()


@pytest.mark.parametrize(
    "legacy", [CAFE_NFD, "ACME\u200b", "ACME\u202eKCUF"], ids=["nfd", "zwsp", "bidi"]
)
async def test_an_entity_stored_under_a_spelling_no_longer_accepted_stays_reachable(
    store: GraphStore, request: pytest.FixtureRequest, legacy: str
) -> None:
    await store.define_entity_type(CUSTOMER)
    await store.define_relation_type({"name": "PARENT_OF", "from": "Customer", "to": "Customer"})
    rows = [{"key": "ROOT", "name": "root"}, {"key": "OLD", "name": "written long ago"}]
    await store.upsert_entities("Customer", rows)
    await store.link("PARENT_OF", [{"from": "ROOT", "to": "OLD"}])
    await _rekey(store, request, "OLD", legacy)
    listed = [entity.key for entity in (await store.list_entities("Customer")).items]
    assert sorted(listed) == sorted(["ROOT", legacy])
    # read by the id it is listed under, and reached by a traversal that reads it back
    (found,) = await store.get_entities([f"Customer:{legacy}"])
    assert found is not None
    assert found.key == legacy
    walked = await store.traverse(["Customer:ROOT"], [{"relation": "PARENT_OF"}])
    assert [entity.key for entity in walked.reached] == [legacy]
    # but no write uses that spelling again: NFD is written as NFC, which is not stored
    with pytest.raises(NotFound if legacy == CAFE_NFD else InvalidInput):
        await store.link("PARENT_OF", [{"from": legacy, "to": "ROOT"}])
    assert (await store.delete_entities([f"Customer:{legacy}"])).entities == 1
    assert [entity.key for entity in (await store.list_entities("Customer")).items] == ["ROOT"]


async def test_an_old_nfd_key_beside_its_nfc_twin_is_read_by_its_own_spelling(
    store: GraphStore, request: pytest.FixtureRequest
) -> None:
    await store.define_entity_type(CUSTOMER)
    await store.upsert_entities("Customer", [{"key": "OLD", "name": "old"}])
    await _rekey(store, request, "OLD", CAFE_NFD)
    await store.upsert_entities("Customer", [{"key": CAFE_NFD, "name": "new"}])
    keys = sorted(entity.key for entity in (await store.list_entities("Customer")).items)
    assert keys == sorted([CAFE_NFC, CAFE_NFD])  # the lookalike pair an old version left
    old, new = await store.get_entities([f"Customer:{CAFE_NFD}", f"Customer:{CAFE_NFC}"])
    assert old is not None
    assert new is not None
    assert (old.key, old.properties["name"]) == (CAFE_NFD, "old")
    assert (new.key, new.properties["name"]) == (CAFE_NFC, "new")
    # deleting by the old spelling removes both: either could be what the caller sees
    assert (await store.delete_entities([f"Customer:{CAFE_NFD}"])).entities == 2
