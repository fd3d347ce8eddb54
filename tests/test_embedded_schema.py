"""The embedded store's file format moves forward when an older file is opened."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from graph_crm.store.embedded.store import EmbeddedStore
from tests.registry_history import PORT_SHIP_DOCK, define_ship_and_dock

VERSION_2 = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta (name, value) VALUES
    ('schema_version', 2), ('registry_version', 1), ('generation', 1);
CREATE TABLE type_defs (
    kind TEXT NOT NULL CHECK (kind IN ('entityType', 'relationType', 'impactPolicy')),
    name TEXT NOT NULL, definition TEXT NOT NULL, PRIMARY KEY (kind, name));
INSERT INTO type_defs VALUES ('entityType', 'Port', '{"name": "Port"}');
CREATE TABLE registry_changes (version INTEGER PRIMARY KEY, kind TEXT NOT NULL,
    name TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL, before TEXT, after TEXT);
INSERT INTO registry_changes VALUES
    (1, 'DEFINE_ENTITY_TYPE', 'Port', 'alice', '2026-11-01T00:00:00Z', NULL, '{"name": "Port"}');
"""


async def test_a_version_2_file_keeps_its_history_and_takes_batches(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(VERSION_2)
    store = await EmbeddedStore.open(path)
    try:
        [old] = await store.registry_changes()
        assert (old.version, old.step, old.name, old.actor) == (1, 0, "Port", "alice")
        assert await define_ship_and_dock(store) == PORT_SHIP_DOCK
    finally:
        await store.close()
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone() == (
            3,
        )
