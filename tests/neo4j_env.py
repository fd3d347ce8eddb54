"""Where the tests' Neo4j comes from: an existing server, or one the suite starts.

``GRAPH_CRM_TEST_NEO4J_URI`` (with ``..._USER`` / ``..._PASSWORD``) points the suite at
an existing server; otherwise it starts a throwaway Community server from the jars
``tools/neo4j_local.py`` resolves. Under ``CI=true`` an unavailable Neo4j fails the
run. Elsewhere, too, unless ``GRAPH_CRM_TEST_SKIP_NEO4J=1`` says to skip on purpose.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

import pytest
from neo4j import AsyncDriver, AsyncGraphDatabase

from graph_crm.store.neo4j.store import Neo4jStore

if TYPE_CHECKING:
    from tools.neo4j_local import LocalNeo4j


@dataclass(frozen=True)
class Neo4jTarget:
    uri: str
    user: str = "neo4j"
    password: str = ""
    database: str = "neo4j"


def skip_allowed() -> bool:
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    return not ci and os.environ.get("GRAPH_CRM_TEST_SKIP_NEO4J") == "1"


def unavailable(what: str, exc: Exception) -> NoReturn:
    """``what`` (a Neo4j server) could not start: skip where skipping is allowed, else fail."""
    if skip_allowed():
        pytest.skip(f"Neo4j unavailable and GRAPH_CRM_TEST_SKIP_NEO4J=1: {exc}")
    pytest.fail(f"could not start {what}: {exc}", pytrace=False)


@contextlib.contextmanager
def local_neo4j(heap: str, what: str) -> Iterator[LocalNeo4j]:
    """A throwaway Neo4j server (``what`` names it in the failure), stopped at the end; a
    server that cannot start skips the tests where skipping is allowed, else fails them."""
    from tools.neo4j_local import LocalNeo4j, Neo4jError

    server = LocalNeo4j(heap=heap)
    try:
        server.start()
    except Neo4jError as exc:
        unavailable(what, exc)
    try:
        yield server
    finally:
        server.stop()


def configured_target() -> Neo4jTarget | None:
    uri = os.environ.get("GRAPH_CRM_TEST_NEO4J_URI")
    if not uri:
        return None
    return Neo4jTarget(
        uri=uri,
        user=os.environ.get("GRAPH_CRM_TEST_NEO4J_USER", "neo4j"),
        password=os.environ.get("GRAPH_CRM_TEST_NEO4J_PASSWORD", ""),
        database=os.environ.get("GRAPH_CRM_TEST_NEO4J_DATABASE", "neo4j"),
    )


#: The reset keeps every constraint: the registry's own (made by every store's open), the
#: per-type keys (they refuse nothing a test may write) and the unique ones (a type
#: defined again owns its label's unique constraints and drops those it does not want:
#: graph_crm/store/neo4j/constraints.py). Every schema change makes Neo4j plan its
#: queries again; a reset that dropped the unique constraints the next test's
#: definitions made again cost most of the Neo4j half of the suite.


_resets = 0


def resets() -> int:
    """How many times a test emptied a database: a store loaded before the last reset of its
    database is stale (the read-only stores in tests/conftest.py check this)."""
    return _resets


def admin_driver(target: Neo4jTarget) -> AsyncDriver:
    """A driver for the tests' own statements on ``target`` (resets, checks)."""
    auth = (target.user, target.password) if target.password else None
    return AsyncGraphDatabase.driver(target.uri, auth=auth, notifications_min_severity="OFF")


async def reset_database(target: Neo4jTarget, driver: AsyncDriver | None = None) -> None:
    """Empty the database of every node; its constraints stay (see above). ``driver`` is
    the session's shared one where the caller has it (a driver of its own costs a new
    connection: most of a reset of an empty database)."""
    global _resets
    _resets += 1
    if driver is None:
        async with admin_driver(target) as own:
            await _empty(own, target)
    else:
        await _empty(driver, target)


async def _empty(driver: AsyncDriver, target: Neo4jTarget) -> None:
    async with driver.session(database=target.database) as session:
        # CALL ... IN TRANSACTIONS needs an auto-commit transaction
        result = await session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS"
        )
        await result.consume()


async def open_neo4j_store(target: Neo4jTarget) -> Neo4jStore:
    return await Neo4jStore.open(
        target.uri, user=target.user, password=target.password, database=target.database
    )
