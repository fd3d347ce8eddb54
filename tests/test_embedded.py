"""What only the embedded store promises: durable reopen and a mirror that never lies."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph_crm.auth.keys import new_api_key
from graph_crm.store.embedded.mirror import Mirror
from graph_crm.store.embedded.store import EmbeddedStore
from graph_crm.store.logs import EMBEDDED_LOGGER
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


async def test_runtime_state_follows_the_mirror(tmp_path: Path) -> None:
    store = await EmbeddedStore.open(tmp_path / "crm.db")
    try:
        state = store.runtime_state()
        assert state["mirror_entities"] == state["mirror_rebuilds_total"] == 0
        assert state["reader_threads"] == 4
        assert state["reader_threads_busy"] == state["writer_busy"] == state["calls_active"] == 0
        await load_chain(store)
        await store.traverse(["Customer:ACME"], CHAIN)  # the mirror is built
        counts = await store.counts()
        state = store.runtime_state()
        assert state["mirror_rebuilds_total"] == 1
        assert state["mirror_entities"] == sum(counts.entities.values())
        assert state["mirror_relations"] == sum(counts.relations.values())
        # updates in place keep the numbers right: a link, and an entity deleted with its
        # relations
        await store.link("EMPLOYS", [{"from": "ACME-SH", "to": "B2"}])
        await store.delete_entities(["Buyer:B1"])
        counts = await store.counts()
        state = store.runtime_state()
        assert state["mirror_rebuilds_total"] == 1
        assert state["mirror_entities"] == sum(counts.entities.values())
        assert state["mirror_relations"] == sum(counts.relations.values())
    finally:
        await store.close()


def _events(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == EMBEDDED_LOGGER and getattr(record, "event", None) == event
    ]


async def test_a_discarded_mirror_and_its_rebuild_are_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=EMBEDDED_LOGGER)
    store = await EmbeddedStore.open(tmp_path / "crm.db")
    try:
        await load_chain(store)
        await store.traverse(["Customer:ACME"], CHAIN)  # the mirror is built
        [first] = _events(caplog, "mirror_rebuilt")
        counts = await store.counts()
        assert first.entities == sum(counts.entities.values())  # type: ignore[attr-defined]
        assert first.relations == sum(counts.relations.values())  # type: ignore[attr-defined]

        def crash(self: Mirror, edges: object) -> None:
            raise RuntimeError("simulated crash between the SQLite commit and the mirror")

        monkeypatch.setattr(Mirror, "add_edges", crash)
        await store.link("EMPLOYS", [{"from": "ACME-SH", "to": "B2"}])  # committed
        monkeypatch.undo()
        [discarded] = _events(caplog, "mirror_discarded")
        assert discarded.levelno == logging.WARNING
        assert "RuntimeError" in discarded.error  # type: ignore[attr-defined]
        await store.traverse(["Customer:ACME"], CHAIN)
        rebuilt = _events(caplog, "mirror_rebuilt")
        assert len(rebuilt) == 2
        assert rebuilt[1].relations == first.relations + 1  # type: ignore[attr-defined]
        assert '"event": "mirror_rebuilt"' in rebuilt[1].getMessage()
    finally:
        await store.close()


async def test_with_a_threshold_of_zero_every_unit_of_work_is_logged_as_slow(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=EMBEDDED_LOGGER)
    store = await EmbeddedStore.open(tmp_path / "crm.db", slow_statement_ms=0)
    try:
        await store.counts()
    finally:
        await store.close()
    slow = _events(caplog, "slow_statement")
    assert slow
    assert all(record.threshold_ms == 0 for record in slow)  # type: ignore[attr-defined]
    assert any("counts" in record.work for record in slow)  # type: ignore[attr-defined]
    assert all(record.backend == "embedded" for record in slow)  # type: ignore[attr-defined]
