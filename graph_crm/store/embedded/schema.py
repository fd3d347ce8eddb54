"""The embedded store's SQLite schema and its per-type unique indexes."""

from __future__ import annotations

import sqlite3
from typing import Final

from graph_crm.model.names import ENTITY_TYPE_PATTERN, PROPERTY_PATTERN

SCHEMA_VERSION: Final = 3
#: The writer connection's page cache, in KiB.
WRITER_CACHE_KIB: Final = 65_536

DDL: Final = """
CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (name, value) VALUES
    ('schema_version', 3), ('registry_version', 0), ('generation', 0);
CREATE TABLE IF NOT EXISTS type_defs (
    kind       TEXT NOT NULL CHECK (kind IN ('entityType', 'relationType', 'impactPolicy')),
    name       TEXT NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (kind, name)
);
CREATE TABLE IF NOT EXISTS registry_changes (
    version INTEGER NOT NULL,
    step    INTEGER NOT NULL DEFAULT 0,
    kind    TEXT NOT NULL,
    name    TEXT NOT NULL,
    actor   TEXT NOT NULL,
    at      TEXT NOT NULL,
    before  TEXT,
    after   TEXT,
    PRIMARY KEY (version, step)
);
CREATE TABLE IF NOT EXISTS entities (
    id         INTEGER PRIMARY KEY,
    type       TEXT NOT NULL,
    key        TEXT NOT NULL,
    props      TEXT NOT NULL,
    rev        TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (type, key)
);
CREATE TABLE IF NOT EXISTS relations (
    id         INTEGER PRIMARY KEY,
    type       TEXT NOT NULL,
    from_id    INTEGER NOT NULL REFERENCES entities (id),
    to_id      INTEGER NOT NULL REFERENCES entities (id),
    props      TEXT NOT NULL,
    rev        TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (type, from_id, to_id)
);
CREATE INDEX IF NOT EXISTS relations_by_from ON relations (from_id);
CREATE INDEX IF NOT EXISTS relations_by_to ON relations (to_id);
CREATE TABLE IF NOT EXISTS api_keys (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE TABLE IF NOT EXISTS incidents (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    status        TEXT NOT NULL,
    active_source TEXT UNIQUE,
    opened_at     TEXT NOT NULL,
    revision      INTEGER NOT NULL,
    record        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_by_opened ON incidents (opened_at, id);
CREATE TABLE IF NOT EXISTS incident_versions (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    number      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    record      TEXT NOT NULL,
    PRIMARY KEY (incident_id, number)
);
CREATE TABLE IF NOT EXISTS incident_changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    version     INTEGER,
    reason      TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS integrations (
    id         TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    record     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    key            TEXT PRIMARY KEY,
    integration_id TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    status         TEXT NOT NULL,
    due            REAL NOT NULL,
    record         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_due ON events (status, due);
CREATE TABLE IF NOT EXISTS webhooks (
    id         TEXT PRIMARY KEY,
    record     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
    id         TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    status     TEXT NOT NULL,
    due        REAL NOT NULL,
    record     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (status, due);
CREATE TABLE IF NOT EXISTS webhook_fan_out (
    name       TEXT PRIMARY KEY,
    cursor     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id        TEXT PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    type_name TEXT,
    ids       TEXT NOT NULL,
    before    TEXT,
    after     TEXT,
    summary   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_at ON audit (at, id);
CREATE INDEX IF NOT EXISTS audit_by_actor ON audit (actor, at, id);
CREATE INDEX IF NOT EXISTS audit_by_type ON audit (type_name, at, id);
"""


def unique_index_name(type_name: str, prop: str) -> str:
    return f"unique_{type_name}_{prop}"


def _checked(type_name: str, prop: str) -> tuple[str, str]:
    # Identifiers are inlined into DDL (SQLite cannot bind them): only pattern-checked ones.
    if ENTITY_TYPE_PATTERN.fullmatch(type_name) is None or PROPERTY_PATTERN.fullmatch(prop) is None:
        raise ValueError(f"refusing unchecked identifiers {type_name!r}.{prop!r}")
    return type_name, prop


def create_unique_index(conn: sqlite3.Connection, type_name: str, prop: str) -> None:
    type_name, prop = _checked(type_name, prop)
    conn.execute(
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{unique_index_name(type_name, prop)}" '
        f"ON entities (json_extract(props, '$.{prop}')) WHERE type = '{type_name}'"
    )


def drop_unique_index(conn: sqlite3.Connection, type_name: str, prop: str) -> None:
    type_name, prop = _checked(type_name, prop)
    conn.execute(f'DROP INDEX IF EXISTS "{unique_index_name(type_name, prop)}"')


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    # The writer's page cache: 64 MiB rather than 2 (a batch's index look-ups and inserts
    # stay in memory; durability is the journal's and synchronous's, unchanged).
    conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
    conn.executescript("BEGIN IMMEDIATE;" + DDL + "COMMIT;")
    _migrate(conn)
    return conn


def connect_reader(path: str) -> sqlite3.Connection:
    """A read-only connection for one reader thread (the writer made the schema)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=30.0)
    conn.execute("PRAGMA query_only = ON")
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Version 1 -> 2: type_defs also keeps impact policies. 2 -> 3: a registry version
    may hold several changes (applied together), each a ``step`` of it.

    SQLite cannot alter a CHECK constraint or a primary key, so a table is copied into a
    new one, in one transaction (another process opening the file at the same time
    waits, then sees the new version).
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        (version,) = conn.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
        if version == 1:
            conn.execute(
                "CREATE TABLE type_defs_v2 (kind TEXT NOT NULL CHECK (kind IN "
                "('entityType', 'relationType', 'impactPolicy')), name TEXT NOT NULL, "
                "definition TEXT NOT NULL, PRIMARY KEY (kind, name))"
            )
            conn.execute("INSERT INTO type_defs_v2 SELECT kind, name, definition FROM type_defs")
            conn.execute("DROP TABLE type_defs")
            conn.execute("ALTER TABLE type_defs_v2 RENAME TO type_defs")
            conn.execute("UPDATE meta SET value = 2 WHERE name = 'schema_version'")
            version = 2
        if version == 2:
            conn.execute(
                "CREATE TABLE registry_changes_v3 (version INTEGER NOT NULL, "
                "step INTEGER NOT NULL DEFAULT 0, kind TEXT NOT NULL, name TEXT NOT NULL, "
                "actor TEXT NOT NULL, at TEXT NOT NULL, before TEXT, after TEXT, "
                "PRIMARY KEY (version, step))"
            )
            conn.execute(
                "INSERT INTO registry_changes_v3 (version, kind, name, actor, at, before, after) "
                "SELECT version, kind, name, actor, at, before, after FROM registry_changes"
            )
            conn.execute("DROP TABLE registry_changes")
            conn.execute("ALTER TABLE registry_changes_v3 RENAME TO registry_changes")
            conn.execute("UPDATE meta SET value = 3 WHERE name = 'schema_version'")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
