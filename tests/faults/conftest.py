"""Fixtures of the fault tests: a Neo4j server of their own, which they kill and pause."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.neo4j_env import Neo4jTarget, local_neo4j, reset_database
from tools.neo4j_local import LocalNeo4j


@pytest.fixture(scope="session")
def fault_server() -> Iterator[LocalNeo4j]:
    """A throwaway Neo4j for the tests that kill, stop or pause it (never the suite's
    shared server, which may even be an existing one)."""
    heap = os.environ.get("GRAPH_CRM_TEST_FAULT_NEO4J_HEAP", "512m")
    with local_neo4j(heap, "the fault tests' Neo4j server") as server:
        yield server


@pytest.fixture
async def victim(fault_server: LocalNeo4j) -> AsyncIterator[LocalNeo4j]:
    """The fault server, running and empty; left running whatever the test did to it."""
    await reset_database(Neo4jTarget(uri=fault_server.uri))
    try:
        yield fault_server
    finally:
        if fault_server.paused:
            fault_server.resume()
        if not fault_server.running:
            fault_server.restart()
