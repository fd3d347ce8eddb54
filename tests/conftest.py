"""Fixtures: one contract suite, every backend (as strawberry's tests/http does)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.neo4j_env import (
    Neo4jTarget,
    configured_target,
    open_neo4j_store,
    reset_database,
    skip_allowed,
)

if TYPE_CHECKING:
    from tests.contract.test_audit_atomicity import Refusal


@pytest.fixture(scope="session")
def neo4j_target() -> Iterator[Neo4jTarget]:
    configured = configured_target()
    if configured is not None:
        yield configured
        return
    from tools.neo4j_local import LocalNeo4j, Neo4jError

    server = LocalNeo4j(heap=os.environ.get("GRAPH_CRM_TEST_NEO4J_HEAP", "768m"))
    try:
        server.start()
    except Neo4jError as exc:
        if skip_allowed():
            pytest.skip(f"Neo4j unavailable and GRAPH_CRM_TEST_SKIP_NEO4J=1: {exc}")
        pytest.fail(f"could not start the test Neo4j server: {exc}", pytrace=False)
    try:
        yield Neo4jTarget(uri=server.uri)
    finally:
        server.stop()


@pytest.fixture
async def neo4j_store(neo4j_target: Neo4jTarget) -> AsyncIterator[GraphStore]:
    await reset_database(neo4j_target)
    store = await open_neo4j_store(neo4j_target)
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
async def embedded_store(tmp_path: Path) -> AsyncIterator[EmbeddedStore]:
    store = await EmbeddedStore.open(tmp_path / "graph.db")
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, request: pytest.FixtureRequest) -> GraphStore:
    """A fresh, empty store of each backend."""
    fixture = "embedded_store" if backend == "embedded" else "neo4j_store"
    opened: GraphStore = request.getfixturevalue(fixture)
    return opened


@pytest.fixture
def refusal(
    store: GraphStore, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Refusal:
    """A way to make ``store`` refuse the next audit record (tests/contract/
    test_audit_atomicity.py): a SQLite trigger, or a Neo4j uniqueness constraint."""
    from tests.contract.test_audit_atomicity import Neo4jRefusal, SqliteRefusal

    if isinstance(store, EmbeddedStore):
        return SqliteRefusal(store)
    return Neo4jRefusal(request.getfixturevalue("neo4j_target"), monkeypatch)
