"""A request's fixed cost: the caller's key and the registry in one read (one Neo4j round
trip, one SQLite read on a reader thread) before the operation's own work, or, for a
typed query by a key this process verified before, inside the query's own read
(api/verified_keys.py) — and the promises kept either way (a revoked key fails at once,
another worker's type is served on the next request: tests/api/test_live_schema.py,
tests/api/test_verified_keys.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.counting_store import CountingStore
from tests.api.graphql import data


@contextmanager
def database_reads(store: GraphStore, monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Counts what reaches the database: Neo4j transactions (each a round trip), or
    SQLite units of work handed to a reader or the writer thread."""
    counted: Counter[str] = Counter()
    session: Any = getattr(store, "session")  # noqa: B009 (the facade's backend session)
    target = session.db.transactions if store.backend == "neo4j" else session.db
    names = (
        ("read", "write", "auto", "read_statement")
        if store.backend == "neo4j"
        else ("read", "call")
    )

    def counting(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            counted[name] += 1
            return method(*args, **kwargs)

        return wrapped

    for name in names:
        monkeypatch.setattr(target, name, counting(name, getattr(target, name)))
    yield counted
    monkeypatch.undo()


@pytest.mark.parametrize("query", ["{ __typename }", "{ schemaVersion entityTypes { name } }"])
async def test_a_request_reads_its_key_and_registry_once(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    counting = CountingStore(store)
    async with asgi_client(counting) as client:
        await data(client, "{ __typename }")  # this worker's first request builds the schema
        counting.calls.clear()
        with database_reads(store, monkeypatch) as reads:
            answer = await data(client, query)
    assert answer
    # a verified key is let in on the registry this process knows (known_registry reads
    # nothing), but no read of this query checks it: it is checked the full way, once
    assert _reads(counting) == Counter({"api_key_and_registry": 1})
    assert sum(reads.values()) == 1, reads


async def test_a_typed_query_checks_its_key_in_its_own_read(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    await store.define_entity_type(
        {"name": "Port", "properties": [{"name": "name", "kind": "STRING"}]}, actor="tests"
    )
    await store.upsert_entities("Port", [{"key": "P1", "name": "Rotterdam"}])
    counting = CountingStore(store)
    query = '{ port(key: "P1") { key name } }'
    async with asgi_client(counting) as client:
        assert await data(client, query) == {"port": {"key": "P1", "name": "Rotterdam"}}
        counting.calls.clear()
        with database_reads(store, monkeypatch) as reads:
            answer = await data(client, query)
    assert answer == {"port": {"key": "P1", "name": "Rotterdam"}}
    assert _reads(counting) == Counter({"read_operation": 1})
    assert sum(reads.values()) == 1, reads


def _reads(counting: CountingStore) -> Counter[str]:
    """The store calls that read: ``known_registry`` is the registry held in memory."""
    return Counter({name: n for name, n in counting.calls.items() if name != "known_registry"})


async def test_the_registry_read_with_the_key_is_the_current_one(
    store: GraphStore, twin_store: GraphStore
) -> None:
    async with asgi_client(store) as worker:
        before = await data(worker, "{ schemaVersion }")
        await twin_store.define_entity_type({"name": "Port", "properties": []}, actor="tests")
        after = await data(worker, "{ schemaVersion entityTypes { name } }")
    assert after["schemaVersion"] == before["schemaVersion"] + 1
    assert after["entityTypes"] == [{"name": "Port"}]


async def test_reads_of_entities_use_the_requests_registry(store: GraphStore) -> None:
    await store.define_entity_type(
        {"name": "Port", "properties": [{"name": "name", "kind": "STRING"}]}, actor="tests"
    )
    await store.upsert_entities("Port", [{"key": "P1", "name": "Rotterdam"}])
    counting = CountingStore(store)
    query = """{
      entity(id: "Port:P1") { id }
      entities(type: "Port") { totalCount edges { node { id } } }
      impactPolicies { name }
    }"""
    async with asgi_client(counting) as client:
        answer = await data(client, query)
    assert answer["entity"] == {"id": "Port:P1"}
    assert answer["entities"]["totalCount"] == 1
    # the key with the registry, then each field's own read: no registry read per field
    assert counting.calls == Counter(
        {"add_api_key": 1, "api_key_and_registry": 1, "get_entities": 1, "list_entities": 1}
    )


class DefinedMidRequest:
    """The real store; its first get_entities waits until another worker has defined a
    Port and stored P1 (after this request read its registry with its key)."""

    def __init__(self, store: GraphStore, twin: GraphStore) -> None:
        self._store, self._twin = store, twin

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def get_entities(self, ids: Any) -> Any:
        await self._twin.define_entity_type({"name": "Port", "properties": []}, actor="tests")
        await self._twin.upsert_entities("Port", [{"key": "P1"}])
        await self._store.registry()  # this worker has heard of it (Neo4j caches for 1 s)
        return await self._store.get_entities(ids)


async def test_a_type_defined_during_the_request_is_still_rendered(
    store: GraphStore, twin_store: GraphStore
) -> None:
    async with asgi_client(DefinedMidRequest(store, twin_store)) as client:
        answer = await data(client, '{ schemaVersion entity(id: "Port:P1") { id } }')
    # the request's registry knew no Port (version 0); the entity is rendered all the same
    assert answer == {"schemaVersion": 0, "entity": {"id": "Port:P1"}}
