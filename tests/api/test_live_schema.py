"""The live schema: new types served without a restart, by every worker, atomically."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from graph_crm.api.live import LiveSchema
from graph_crm.api.schema import core_schema
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.counting_store import CountingStore
from tests.api.graphql import DEFINE_ENTITY_TYPE, data, post, succeed
from tests.contract.crm import BUYER, CUSTOMER, SUBSIDIARY

WAREHOUSE = {"name": "Warehouse", "properties": [{"name": "city", "kind": "STRING"}]}
WAREHOUSES = "{ warehouses { totalCount } }"


async def test_a_type_defined_through_one_worker_is_served_by_another(
    store: GraphStore, twin_store: GraphStore
) -> None:
    async with asgi_client(store) as worker_a, asgi_client(twin_store) as worker_b:
        assert (await data(worker_b, "{ schemaVersion }")) == {"schemaVersion": 0}
        unknown = await post(worker_b, WAREHOUSES)
        assert "Cannot query field 'warehouses'" in unknown["errors"][0]["message"]

        await succeed(worker_a, DEFINE_ENTITY_TYPE, "defineEntityType", input=WAREHOUSE)
        # The very next request to the other worker sees it: no restart, no waiting.
        assert await data(worker_b, WAREHOUSES) == {"warehouses": {"totalCount": 0}}
        described = await data(worker_b, '{ __type(name: "Warehouse") { fields { name } } }')
        names = [field["name"] for field in described["__type"]["fields"]]
        assert names == ["id", "key", "createdAt", "updatedAt", "city"]


class GatedStore:
    """A store whose list_entities waits for a gate: a request held mid-flight."""

    def __init__(self, store: GraphStore) -> None:
        self._store = store
        self.entered = asyncio.Event()
        self.gate = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    async def list_entities(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        await self.gate.wait()
        return await self._store.list_entities(*args, **kwargs)


async def test_running_requests_finish_on_the_schema_they_started_with(
    embedded_store: GraphStore,
) -> None:
    await embedded_store.define_entity_type(CUSTOMER)
    gated = GatedStore(embedded_store)
    async with asgi_client(gated) as client:
        slow = asyncio.create_task(
            post(client, '{ customers { totalCount } __type(name: "Warehouse") { name } }')
        )
        await gated.entered.wait()
        # While it runs, a new type lands and is served to the next request at once.
        await succeed(client, DEFINE_ENTITY_TYPE, "defineEntityType", input=WAREHOUSE)
        assert await data(client, '{ __type(name: "Warehouse") { name } }') == {
            "__type": {"name": "Warehouse"}
        }
        gated.gate.set()
        # The held request completes, on the old schema: no Warehouse there.
        assert await slow == {"data": {"customers": {"totalCount": 0}, "__type": None}}


async def test_a_schema_is_built_once_per_registry_version(embedded_store: GraphStore) -> None:
    live = LiveSchema(core_schema())
    v1 = await embedded_store.define_entity_type(CUSTOMER)
    first = live.for_registry(v1)
    assert live.for_registry(v1) is first
    v2 = await embedded_store.define_entity_type(SUBSIDIARY)
    second = live.for_registry(v2)
    # A late request still holding the older registry gets its own schema and
    # does not push the newer one out.
    assert live.for_registry(v1) is not second
    assert live.for_registry(v2) is second
    assert live.builds == 3
    assert "subsidiary" in second._schema.query_type.fields  # type: ignore[union-attr]
    assert "subsidiary" not in first._schema.query_type.fields  # type: ignore[union-attr]


NESTED = """
{
  customers(first: 100) {
    edges { node { key hasSubsidiary { key employs { key name } } } }
  }
}"""


async def test_relation_fields_are_batched_not_one_call_per_parent(store: GraphStore) -> None:
    await store.define_entity_type(CUSTOMER)
    await store.define_entity_type(SUBSIDIARY)
    await store.define_entity_type(BUYER)
    await store.define_relation_type(
        {"name": "HAS_SUBSIDIARY", "from": "Customer", "to": "Subsidiary"}
    )
    await store.define_relation_type({"name": "EMPLOYS", "from": "Subsidiary", "to": "Buyer"})
    customers = [{"key": f"C{i:03}", "name": f"客户{i}"} for i in range(100)]
    subsidiaries = [{"key": f"S{i:03}-{j}", "name": "s"} for i in range(100) for j in range(2)]
    buyers = [{"key": f"B{s['key']}", "name": "b"} for s in subsidiaries]
    await store.upsert_entities("Customer", customers)
    await store.upsert_entities("Subsidiary", subsidiaries)
    await store.upsert_entities("Buyer", buyers)
    await store.link(
        "HAS_SUBSIDIARY", [{"from": "C" + s["key"][1:4], "to": s["key"]} for s in subsidiaries]
    )
    await store.link("EMPLOYS", [{"from": b["key"][1:], "to": b["key"]} for b in buyers])
    await store.link("HAS_SUBSIDIARY", [{"from": "C000", "to": "S001-0"}])
    counting = CountingStore(store)
    async with asgi_client(counting) as client:
        answer = await data(client, NESTED)
    nodes = [edge["node"] for edge in answer["customers"]["edges"]]
    assert len(nodes) == 100
    assert sum(len(n["hasSubsidiary"]) for n in nodes) == 201
    assert nodes[0]["hasSubsidiary"][2] == {
        "key": "S001-0",
        "employs": [{"key": "BS001-0", "name": "b"}],
    }
    assert all(len(s["employs"]) == 1 for n in nodes for s in n["hasSubsidiary"])
    # One key check, one registry check, one page, one call per relation level: 300
    # parents, 5 calls (add_api_key is the test client's key being made).
    assert counting.calls == Counter(
        {"add_api_key": 1, "api_key": 1, "registry": 1, "list_entities": 1, "neighbors": 2}
    )
