"""Fixtures: one contract suite, every backend (as strawberry's tests/http does).

Shared helpers live in modules not named ``test_*`` (``tests/contract/crm.py``,
``tests/api/graphql.py``, ...); a test file imports those, never another test file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings
from neo4j import AsyncDriver

from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.contract.refusal import Neo4jRefusal, Refusal, SqliteRefusal
from tests.neo4j_env import (
    Neo4jTarget,
    admin_driver,
    configured_target,
    open_neo4j_store,
    reset_database,
    resets,
    unavailable,
)
from tests.neo4j_sockets import tcp_nodelay
from tests.store_fixtures import Loaded, Loader, OpenTwin

if TYPE_CHECKING:
    from tools.neo4j_local import LocalNeo4j

# Hypothesis: "ci" draws each property test's full count (tests/examples.py scales the
# counts a test names by the profile's), "dev" a quarter of it. CI=true picks "ci";
# HYPOTHESIS_PROFILE=ci|dev overrides. No deadline: a shared CI machine has slow moments.
settings.register_profile(
    "ci",
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=25, deadline=None)
_in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _in_ci else "dev"))


# Every new Neo4j connection of the suite would otherwise wait ~40 ms (tests/neo4j_sockets.py).
tcp_nodelay()

#: The test Neo4j of this process, launched as soon as collection shows a test needs it:
#: the JVM boots (15 s or more) while the first tests on the embedded store run.
_early_neo4j: list[LocalNeo4j] = []


def pytest_collection_finish(session: pytest.Session) -> None:
    if configured_target() is not None or _early_neo4j:
        return
    if any(item.get_closest_marker("neo4j") for item in session.items):
        from tools.neo4j_local import Neo4jError

        server = _test_neo4j()
        with contextlib.suppress(Neo4jError):  # the fixture reports it, where it is needed
            server.launch()
        _early_neo4j.append(server)


def _test_neo4j() -> LocalNeo4j:
    """The suite's throwaway Neo4j. It looks for transactions past their timeout every
    100 ms, not every 2 s (the server's default): a store call over its budget is then
    rolled back promptly however fast the machine runs it (tests/contract/test_budgets.py),
    not only if it still runs at the server's next look."""
    from tools.neo4j_local import LocalNeo4j

    return LocalNeo4j(
        heap=os.environ.get("GRAPH_CRM_TEST_NEO4J_HEAP", "768m"),
        extra_config={"db.transaction.monitor.check.interval": "100ms"},
    )


@pytest.fixture(scope="session")
def neo4j_target() -> Iterator[Neo4jTarget]:
    configured = configured_target()
    if configured is not None:
        yield configured
        return
    from tools.neo4j_local import Neo4jError

    server = _early_neo4j.pop() if _early_neo4j else _test_neo4j()
    try:
        if server.running:
            server.wait_ready()
        else:
            server.stop()
            server.start()
    except Neo4jError as exc:
        unavailable("the test Neo4j server", exc)
    try:
        yield Neo4jTarget(uri=server.uri)
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def neo4j_admin(neo4j_target: Neo4jTarget) -> AsyncIterator[AsyncDriver]:
    """The session's driver for the tests' own statements (resets) on the test Neo4j."""
    async with admin_driver(neo4j_target) as driver:
        yield driver


@pytest.fixture
async def neo4j_store(
    neo4j_target: Neo4jTarget, neo4j_admin: AsyncDriver
) -> AsyncIterator[GraphStore]:
    await reset_database(neo4j_target, neo4j_admin)
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


@pytest.fixture(scope="module")
async def _loaded_stores() -> AsyncIterator[dict[tuple[str, Loader], tuple[GraphStore, int]]]:
    """The module's read-only stores: (backend, loader) -> (store, resets when loaded)."""
    stores: dict[tuple[str, Loader], tuple[GraphStore, int]] = {}
    try:
        yield stores
    finally:
        for store, _ in stores.values():
            await store.close()


@pytest.fixture
def loaded(
    backend: str,
    _loaded_stores: dict[tuple[str, Loader], tuple[GraphStore, int]],
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> Loaded:
    """``await loaded(load_chain)``: a store of each backend holding what ``load_chain``
    writes, loaded once per module and shared by the module's tests that ask for it. They
    only read it, or attempt writes that must be refused and check that nothing changed.
    A Neo4j database holds one graph at a time: once another test emptied it, the next
    test that asks loads it again."""

    # the session's driver, resolved here: an async fixture cannot be asked for inside load
    admin = request.getfixturevalue("neo4j_admin") if backend == "neo4j" else None

    async def load(loader: Loader) -> GraphStore:
        key = (backend, loader)
        cached = _loaded_stores.pop(key, None)
        if cached is not None:
            if backend == "embedded" or cached[1] == resets():
                _loaded_stores[key] = cached
                return cached[0]
            await cached[0].close()
        store: GraphStore
        if backend == "embedded":
            store = await EmbeddedStore.open(tmp_path_factory.mktemp("loaded") / "graph.db")
        else:
            target = request.getfixturevalue("neo4j_target")
            await reset_database(target, admin)
            store = await open_neo4j_store(target)
        await loader(store)
        _loaded_stores[key] = (store, resets())
        return store

    return load


@pytest.fixture
async def open_twin(store: GraphStore, request: pytest.FixtureRequest) -> AsyncIterator[OpenTwin]:
    """Opens another store on ``store``'s data (the same file, or the same database), as
    another process would, when called; each is closed after the test."""
    target = None if isinstance(store, EmbeddedStore) else request.getfixturevalue("neo4j_target")
    opened: list[GraphStore] = []

    async def open_one() -> GraphStore:
        twin: GraphStore
        if isinstance(store, EmbeddedStore):
            twin = await EmbeddedStore.open(store.path)
        else:
            assert target is not None
            twin = await open_neo4j_store(target)
        opened.append(twin)
        return twin

    try:
        yield open_one
    finally:
        for twin in opened:
            await twin.close()


@pytest.fixture
async def twin_store(open_twin: OpenTwin) -> GraphStore:
    """A second store on the same database, as another worker process would open it."""
    return await open_twin()


@pytest.fixture
async def refusal_of(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Callable[[GraphStore], Refusal]]:
    """``refusal_of(store)``: a way to make ``store`` refuse its next audit record or a
    customer's name (tests/contract/refusal.py): a SQLite trigger, or a Neo4j uniqueness
    constraint; lifted after the test."""
    made: list[Refusal] = []

    def refusal_for(store: GraphStore) -> Refusal:
        refusal: Refusal
        if isinstance(store, EmbeddedStore):
            refusal = SqliteRefusal(store)
        else:
            refusal = Neo4jRefusal(request.getfixturevalue("neo4j_target"), monkeypatch)
        made.append(refusal)
        return refusal

    try:
        yield refusal_for
    finally:
        for refusal in made:
            await refusal.lift()


@pytest.fixture
def refusal(store: GraphStore, refusal_of: Callable[[GraphStore], Refusal]) -> Refusal:
    """A way to make the test's ``store`` refuse (``refusal_of``)."""
    return refusal_of(store)
