"""``typeCounts``: entities per entity type and relations per relation type, as the store
counts them, on both backends; empty types count 0; a request without a key learns nothing."""

from __future__ import annotations

import pytest

from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import post
from tests.contract.logistics import load_logistics

COUNTS = "{ typeCounts { entities { name count } relations { name count } } }"


async def test_the_counts_are_the_stores_per_type_sorted_by_name(store: GraphStore) -> None:
    registry = await load_logistics(store)
    counts = await store.counts()
    async with asgi_client(store, Role.ANALYST) as client:
        body = await post(client, COUNTS)
    assert "errors" not in body, body
    answer = body["data"]["typeCounts"]
    assert answer["entities"] == [
        {"name": name, "count": counts.entities.get(name, 0)}
        for name in sorted(registry.entity_types)
    ]
    assert answer["relations"] == [
        {"name": name, "count": counts.relations.get(name, 0)}
        for name in sorted(registry.relation_types)
    ]
    assert sum(item["count"] for item in answer["entities"]) > 0
    assert sum(item["count"] for item in answer["relations"]) > 0


async def test_an_empty_store_counts_nothing_and_a_new_type_counts_zero(
    store: GraphStore,
) -> None:
    async with asgi_client(store, Role.CONFIG_OFFICER) as client:
        empty = await post(client, COUNTS)
        assert empty == {"data": {"typeCounts": {"entities": [], "relations": []}}}
        await store.define_entity_type({"name": "Broker", "properties": []})
        defined = await post(client, COUNTS)
    assert defined["data"]["typeCounts"]["entities"] == [{"name": "Broker", "count": 0}]


@pytest.mark.parametrize(
    "query",
    [
        '{ typeCounts(type: "Customer\') RETURN 1 //") { entities { name } } }',
        "{ typeCounts { entities { name count properties } } }",
        "{ " + " ".join(f"c{i}: typeCounts {{ entities {{ count }} }}" for i in range(500)) + " }",
    ],
    ids=["injection-argument", "unknown-field", "aliases"],
)
async def test_hostile_count_queries_are_refused_and_change_nothing(
    store: GraphStore, query: str
) -> None:
    await load_logistics(store)
    before = await store.counts()
    async with asgi_client(store, Role.ANALYST) as client:
        response = await client.post("/graphql", json={"query": query})
    body = response.json()
    assert response.status_code in (200, 400, 413), response.text
    assert body.get("data") is None, body
    assert body.get("errors") or body.get("error"), body
    assert await store.counts() == before


async def test_no_key_no_counts(store: GraphStore) -> None:
    async with asgi_client(store, role=None) as client:
        refused = await client.post("/graphql", json={"query": COUNTS})
    assert refused.status_code == 401
    assert "typeCounts" not in refused.text
