"""The floors ``bench.ingest`` compares graph-crm with: the bare statements that store the
same rows, with nothing of graph-crm's checks, revisions or audit.

- Neo4j: ``UNWIND $rows AS r MERGE (n:L {key: r.key}) SET n += r.props`` under a key
  constraint (upsert, and re-upsert of unchanged rows), and ``UNWIND … MATCH … MATCH …
  MERGE`` (link), one transaction per batch.
- SQLite: ``executemany`` INSERT into tables shaped and indexed like the embedded store's
  (WAL, ``synchronous = NORMAL``, foreign keys on), and ``INSERT … SELECT`` for relations.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any, LiteralString

from neo4j import AsyncDriver

Row = dict[str, Any]

UPSERT: LiteralString = "UNWIND $rows AS r MERGE (n:{L} {{key: r.key}}) SET n += r.props"
LINK: LiteralString = (
    "UNWIND $rows AS r MATCH (a:{L} {{key: r.from}}) MATCH (b:{L} {{key: r.to}}) "
    "MERGE (a)-[x:{T}]->(b) SET x += r.props"
)
CONSTRAINT: LiteralString = "CREATE CONSTRAINT IF NOT EXISTS FOR (n:{L}) REQUIRE n.key IS UNIQUE"


class Neo4jFloor:
    """The bare statements, on label ``L`` and relation type ``T`` (both fresh)."""

    def __init__(self, driver: AsyncDriver, label: str, rel: str) -> None:
        self.driver, self.label, self.rel = driver, label, rel

    async def prepare(self) -> None:
        await self.driver.execute_query(CONSTRAINT.format(L=self.label))

    async def upsert(self, rows: Sequence[Row]) -> None:
        payload = [{"key": row["key"], "props": _props(row)} for row in rows]
        await self._run(UPSERT.format(L=self.label), payload)

    async def link(self, rows: Sequence[Row]) -> None:
        payload = [{"from": r["from"], "to": r["to"], "props": r["properties"]} for r in rows]
        await self._run(LINK.format(L=self.label, T=self.rel), payload)

    async def _run(self, statement: str, rows: list[Row]) -> None:
        async with self.driver.session() as session:

            async def work(tx: Any) -> None:
                await (await tx.run(statement, rows=rows)).consume()

            await session.execute_write(work)


def _props(row: Row) -> Row:
    return {name: value for name, value in row.items() if name != "key"}


SQLITE_DDL = """
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS entities (
    id INTEGER PRIMARY KEY, type TEXT NOT NULL, key TEXT NOT NULL, props TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (type, key));
CREATE TABLE IF NOT EXISTS relations (
    id INTEGER PRIMARY KEY, type TEXT NOT NULL,
    from_id INTEGER NOT NULL REFERENCES entities (id),
    to_id INTEGER NOT NULL REFERENCES entities (id),
    props TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (type, from_id, to_id));
CREATE INDEX IF NOT EXISTS relations_by_from ON relations (from_id);
CREATE INDEX IF NOT EXISTS relations_by_to ON relations (to_id);
"""
NOW = "2026-01-01T00:00:00.000000Z"


class SqliteFloor:
    """``executemany`` into embedded-shaped tables, one transaction per batch."""

    def __init__(self, path: Path, type_name: str, rel: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.executescript(SQLITE_DDL)
        self.type_name, self.rel = type_name, rel

    def upsert(self, rows: Sequence[Row]) -> None:
        params = [
            (self.type_name, row["key"], json.dumps(_props(row), default=str), NOW, NOW)
            for row in rows
        ]
        with self._transaction():
            self.conn.executemany(
                "INSERT INTO entities (type, key, props, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?)",
                params,
            )

    def link(self, rows: Sequence[Row]) -> None:
        t = self.type_name
        params = [
            (self.rel, json.dumps(r["properties"]), NOW, NOW, t, r["from"], t, r["to"])
            for r in rows
        ]
        with self._transaction():
            self.conn.executemany(
                "INSERT INTO relations (type, from_id, to_id, props, created_at, updated_at) "
                "SELECT ?, a.id, b.id, ?, ?, ? FROM entities a, entities b "
                "WHERE a.type = ? AND a.key = ? AND b.type = ? AND b.key = ?",
                params,
            )

    def _transaction(self) -> Any:
        conn = self.conn

        class _Tx:
            def __enter__(self) -> None:
                conn.execute("BEGIN IMMEDIATE")

            def __exit__(self, *exc: object) -> None:
                conn.execute("COMMIT" if exc[0] is None else "ROLLBACK")

        return _Tx()

    def close(self) -> None:
        self.conn.close()
