"""Where `graph-crm serve` processes and a fault test meet, on either backend: the
options and environment to serve a store, and a way to open it from the test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.faults.processes import ApiProcess
from tests.neo4j_env import Neo4jTarget, open_neo4j_store, reset_database

#: Workers that look often and take over a dead one's lease soon.
FAST = {"GRAPH_CRM_EVENT_POLL_SECONDS": "0.1", "GRAPH_CRM_EVENT_LEASE_SECONDS": "2"}
#: The test's ``backend`` fixture's parameters: both backends.
BACKENDS = ["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]


class Backend:
    """Where the servers and the test meet: a store to open and serve options."""

    def __init__(self, options: list[str], env: dict[str, str], opener: Callable[[], Any]) -> None:
        self.options = options
        self.env = env
        self.open = opener

    def server(self, log: Path, **env: str) -> ApiProcess:
        return ApiProcess(log, self.options, {**self.env, **FAST, **env})

    @asynccontextmanager
    async def store(self) -> AsyncIterator[GraphStore]:
        opened: GraphStore = await self.open()
        try:
            yield opened
        finally:
            await opened.close()


async def backend_of(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The ``backend`` fixture's value for its parameter: an empty store of that kind."""
    if request.param == "embedded":
        db = str(tmp_path / "events.db")
        return Backend(["--db", db], {}, lambda: EmbeddedStore.open(db))
    target: Neo4jTarget = request.getfixturevalue("neo4j_target")
    await reset_database(target)
    env = {
        "GRAPH_CRM_NEO4J_USER": target.user,
        "GRAPH_CRM_NEO4J_PASSWORD": target.password,
        "GRAPH_CRM_NEO4J_DATABASE": target.database,
    }
    return Backend(
        ["--backend", "neo4j", "--neo4j-uri", target.uri], env, lambda: open_neo4j_store(target)
    )
