"""What only the embedded store promises: durable reopen and a mirror that never lies."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph_crm.auth.keys import new_api_key
from graph_crm.store.embedded.mirror import Mirror
from graph_crm.store.embedded.store import EmbeddedStore
from tests.contract.crm import CHAIN, load_chain
from tests.contract.snapshot import snapshot


async def test_reopen_restores_registry_and_data(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    store = await EmbeddedStore.open(path)
    await load_chain(store)
    before = await snapshot(store)
    registry = await store.registry()
    traversal = await store.traverse(["Customer:ACME"], CHAIN)
    await store.close()

    reopened = await EmbeddedStore.open(path)
    try:
        assert await reopened.registry() == registry
        assert await snapshot(reopened) == before
        assert await reopened.traverse(["Customer:ACME"], CHAIN) == traversal
    finally:
        await reopened.close()


async def test_a_failed_mirror_update_never_disagrees_with_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await EmbeddedStore.open(tmp_path / "crm.db")
    try:
        await load_chain(store)
        await store.traverse(["Customer:ACME"], CHAIN)  # the mirror is built

        def crash(self: Mirror, edges: object) -> None:
            raise RuntimeError("simulated crash between the SQLite commit and the mirror")

        monkeypatch.setattr(Mirror, "add_edges", crash)
        await store.upsert_entities("Competitor", [{"key": "HOOLI", "name": "Hooli"}])
        await store.link("MENTIONS", [{"from": "L1", "to": "HOOLI"}])  # committed
        monkeypatch.undo()
        result = await store.traverse(["Customer:ACME"], CHAIN)
        assert [e.id for e in result.reached] == [
            "Competitor:GLOBEX",
            "Competitor:HOOLI",
            "Competitor:INITECH",
        ]
    finally:
        await store.close()


async def test_writes_from_another_process_are_seen(tmp_path: Path) -> None:
    path = tmp_path / "crm.db"
    reader = await EmbeddedStore.open(path)
    writer = await EmbeddedStore.open(path)
    try:
        await load_chain(writer)
        assert (await reader.registry()).version == (await writer.registry()).version
        assert len((await reader.traverse(["Customer:ACME"], CHAIN)).reached) == 2
        await writer.delete_entities(["ChatLog:L2"])
        assert [e.id for e in (await reader.traverse(["Customer:ACME"], CHAIN)).reached] == [
            "Competitor:GLOBEX"
        ]
    finally:
        await reader.close()
        await writer.close()


async def test_key_writes_rebuild_no_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "crm.db"
    store = await EmbeddedStore.open(path)
    other = await EmbeddedStore.open(path)
    try:
        await load_chain(store)
        traversal = await store.traverse(["Customer:ACME"], CHAIN)  # both mirrors are built
        assert await other.traverse(["Customer:ACME"], CHAIN) == traversal
        built: list[int] = []
        load = Mirror.load

        def counted(cls: type[Mirror], conn: sqlite3.Connection, generation: int) -> Mirror:
            built.append(generation)
            return load(conn, generation)

        monkeypatch.setattr(Mirror, "load", classmethod(counted))
        now = datetime.now(UTC)
        key, _ = new_api_key("loader", "integration", created_by="admin", now=now)
        await store.add_api_key(key)
        await other.revoke_api_key(key.id, at=now)
        for reader in (store, other):
            assert await reader.traverse(["Customer:ACME"], CHAIN) == traversal
            assert await reader.api_key(key.id) == key.revoked(now)
        assert built == []

        await other.delete_entities(["ChatLog:L2"])  # a graph write does move the generation
        await store.traverse(["Customer:ACME"], CHAIN)
        assert len(built) == 1
    finally:
        await store.close()
        await other.close()


async def test_audit_records_rebuild_no_mirror(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = await EmbeddedStore.open(tmp_path / "crm.db")
    try:
        await load_chain(store)
        await store.traverse(["Customer:ACME"], CHAIN)  # the mirror is built
        built: list[int] = []
        load = Mirror.load

        def counted(cls: type[Mirror], conn: sqlite3.Connection, generation: int) -> Mirror:
            built.append(generation)
            return load(conn, generation)

        monkeypatch.setattr(Mirror, "load", classmethod(counted))
        before = (await store.audit_log()).total_count
        await store.upsert_entities("Buyer", [{"key": "B9", "name": "Nine"}], actor="x")
        await store.link("EMPLOYS", [{"from": "ACME-SH", "to": "B9"}], actor="x")
        await store.unlink("EMPLOYS", [{"from": "ACME-SH", "to": "B1"}], actor="x")
        await store.delete_entities(["Buyer:B2"], actor="x")
        reached = await store.traverse(
            ["Customer:ACME"], [{"relation": "HAS_SUBSIDIARY"}, {"relation": "EMPLOYS"}]
        )
        assert [e.id for e in reached.reached] == ["Buyer:B9"]
        assert built == []  # each write updated the mirror in place, its audit record aside
        assert (await store.audit_log()).total_count == before + 4
    finally:
        await store.close()
