"""How a fault test sees that a write is under way, and checks a store after a crash."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import neo4j
import pytest
from neo4j.exceptions import ConstraintError

# Built from two literals so that the monitoring query does not match itself.
_RUNNING_BATCHES = (
    "SHOW TRANSACTIONS YIELD currentQuery, status "
    # entity_upsert's or relation_link's MERGE
    "WHERE (currentQuery CONTAINS ('MERGE (n:' + 'Entity:') "
    "OR currentQuery CONTAINS ('MERGE (a)-' + '[r:')) AND status = 'Running' "
    "RETURN count(*) AS running"
)


@contextlib.contextmanager
def sqlite_writing(path: Path) -> Iterator[Callable[[], bool]]:
    """A probe: whether some connection holds the database's write lock right now.

    ``BEGIN IMMEDIATE`` without a busy timeout fails at once while another connection
    is inside a write transaction; when it succeeds the probe lets go at once, so it
    delays a writer by a few microseconds at most.
    """
    conn = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)

    def writing() -> bool:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        conn.execute("ROLLBACK")
        return False

    try:
        yield writing
    finally:
        conn.close()


def integrity(path: Path) -> tuple[str, int]:
    """SQLite's ``integrity_check`` verdict and the number of dangling foreign keys."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
        dangling = len(conn.execute("PRAGMA foreign_key_check").fetchall())
    return str(verdict), dangling


def linked_subsidiaries(path: Path, customer_keys: list[str]) -> set[str]:
    """What SQLite itself says the customers link to over HAS_SUBSIDIARY."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT DISTINCT t.key FROM relations r "
            "JOIN entities f ON f.id = r.from_id JOIN entities t ON t.id = r.to_id "
            "WHERE r.type = 'HAS_SUBSIDIARY' AND f.type = 'Customer' "
            f"AND f.key IN ({', '.join('?' * len(customer_keys))})",
            customer_keys,
        ).fetchall()
    return {f"Subsidiary:{key}" for (key,) in rows}


def relation_count(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT count(*) FROM relations").fetchone()[0])


@contextlib.contextmanager
def neo4j_admin(uri: str) -> Iterator[neo4j.Driver]:
    """A plain driver of the test's own, outside graph-crm."""
    driver = neo4j.GraphDatabase.driver(uri, auth=None, notifications_min_severity="OFF")
    try:
        yield driver
    finally:
        driver.close()


def neo4j_writing(driver: neo4j.Driver) -> Callable[[], bool]:
    """A probe: whether a batch write statement (an upsert's or a link's ``MERGE``) is
    running on the server."""

    def writing() -> bool:
        records, _, _ = driver.execute_query(_RUNNING_BATCHES)
        return int(records[0]["running"]) > 0

    return writing


def wait_until_no_batch_runs(driver: neo4j.Driver, timeout: float = 60.0) -> None:
    """A client that died mid-transaction: wait until the server has rolled it back."""
    writing = neo4j_writing(driver)
    deadline = time.monotonic() + timeout
    while writing():
        assert time.monotonic() < deadline, "the dead client's transaction is still running"
        time.sleep(0.05)


def assert_neo4j_intact(driver: neo4j.Driver) -> None:
    """One node per customer key, and the key constraints still refuse a duplicate."""
    records, _, _ = driver.execute_query(
        "MATCH (n:Customer) WITH n.key AS key, count(*) AS copies "
        "WHERE copies > 1 RETURN count(*) AS duplicated"
    )
    assert records[0]["duplicated"] == 0
    records, _, _ = driver.execute_query(
        "SHOW CONSTRAINTS YIELD name, type WHERE name STARTS WITH 'graph_crm_' "
        "RETURN collect(name) AS names"
    )
    assert {"graph_crm_key_Customer", "graph_crm_key_Subsidiary"} <= set(records[0]["names"])
    with pytest.raises(ConstraintError):
        driver.execute_query("CREATE (:Entity:Customer {key: 'B0-00000'})")
