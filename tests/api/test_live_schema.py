"""The live schema: new types served without a restart, by every worker, atomically."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from collections import Counter
from typing import Any

import pytest

from graph_crm.api.live import LiveSchema
from graph_crm.api.schema import CoreSchema, core_schema
from graph_crm.api.typed.build import build_schema
from graph_crm.model.registry import Registry
from graph_crm.model.registry_change import ChangeKind
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation
from tests.api.asgi import asgi_app_client, asgi_client
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
    """A store whose pages wait for a gate (a typed query's compiled read, or a list of
    entities): a request held mid-flight."""

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

    async def read_operation(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        await self.gate.wait()
        return await self._store.read_operation(*args, **kwargs)


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
    first = await live.for_registry(v1)
    assert await live.for_registry(v1) is first
    v2 = await embedded_store.define_entity_type(SUBSIDIARY)
    second = await live.for_registry(v2)
    assert live.current is second
    # A late request still holding the older registry gets the older schema, reused
    # while someone holds it, and does not push the newer one out.
    assert await live.for_registry(v1) is first
    assert live.current is second
    assert live.builds == 2
    assert "subsidiary" in second._schema.query_type.fields  # type: ignore[union-attr]
    assert "subsidiary" not in first._schema.query_type.fields  # type: ignore[union-attr]
    # Once nobody holds it, the old schema is gone: a late request builds it again.
    gone = weakref.ref(first)
    del first
    # the loop may still hold a finished build's task in a pending callback (its waiters
    # are woken one turn later, the executor's thread lets go of its future when it is
    # next scheduled): let them run, then collect, for up to 2 s on a busy machine
    for _ in range(200):
        await asyncio.sleep(0.01)
        gc.collect()
        if gone() is None:
            break
    assert gone() is None
    assert "subsidiary" not in (await live.for_registry(v1))._schema.query_type.fields  # type: ignore[union-attr]
    assert live.builds == 3
    assert live.current is second


async def test_requests_needing_one_new_version_share_its_one_build(
    embedded_store: GraphStore,
) -> None:
    live = LiveSchema(core_schema())
    v1 = await embedded_store.define_entity_type(CUSTOMER)
    schemas = await asyncio.gather(*(live.for_registry(v1) for _ in range(5)))
    assert all(schema is schemas[0] for schema in schemas)
    assert live.builds == 1


def kinds(count: int) -> list[DefinitionOperation]:
    """``count`` entity types of a few properties each, to define as one change."""
    return [
        DefinitionOperation(
            ChangeKind.DEFINE_ENTITY_TYPE,
            {"name": f"Kind{index:03}", "properties": KIND_PROPERTIES},
        )
        for index in range(count)
    ]


KIND_PROPERTIES = [
    {"name": "name", "kind": "STRING"},
    {"name": "tier", "kind": "ENUM", "values": ["GOLD", "SILVER"]},
    {"name": "value", "kind": "FLOAT"},
]


async def test_a_rebuild_runs_off_the_loop_while_other_requests_go_on(
    embedded_store: GraphStore,
) -> None:
    await embedded_store.apply_definitions(kinds(100))
    loop = asyncio.get_running_loop()
    order: list[str] = []
    build_started = asyncio.Event()
    release = threading.Event()
    new_version = -1

    def gated_build(core: CoreSchema, registry: Registry) -> CoreSchema:
        """The real build; the new version's waits, in its thread, until released."""
        if registry.version == new_version:
            loop.call_soon_threadsafe(build_started.set)
            # Bounded: on the loop (where builds used to run) this would hold everything.
            release.wait(timeout=10)
        schema = build_schema(core, registry)
        if registry.version == new_version:
            order.append("build done")
        return schema

    gated = GatedStore(embedded_store)
    async with asgi_app_client(gated) as (app, client):
        live = app.state.live_schema = LiveSchema(core_schema(), build=gated_build)
        await data(client, "{ __typename }")  # the 100 types' schema, built
        held = asyncio.create_task(post(client, "{ kind000s { totalCount } }"))
        await gated.entered.wait()  # it holds its schema, mid-request
        new_version = (await embedded_store.define_entity_type(WAREHOUSE)).version
        first, second = (
            asyncio.create_task(post(client, "{ warehouses { totalCount } }")) for _ in range(2)
        )
        await build_started.wait()
        # While the new version's schema is being built, the held request finishes on
        # the old schema and other routes answer: nothing waits for the build but the
        # requests that need it.
        gated.gate.set()
        assert await held == {"data": {"kind000s": {"totalCount": 0}}}
        order.append("held request answered")
        assert (await client.get("/healthz")).status_code == 200
        order.append("healthz answered")
        assert not first.done()
        assert not second.done()
        release.set()
        assert await first == await second == {"data": {"warehouses": {"totalCount": 0}}}
    assert order == ["held request answered", "healthz answered", "build done"]
    assert live.builds == 2  # the 100 types', then the new version's once for both


NESTED = """
{
  customers(first: 100) {
    edges { node { key hasSubsidiary { key employs { key name } } } }
  }
}"""


@pytest.mark.parametrize("compiled", [True, False])
async def test_relation_fields_are_batched_not_one_call_per_parent(
    store: GraphStore, compiled: bool
) -> None:
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
    async with asgi_client(counting, compiled_reads=compiled) as client:
        answer = await data(client, NESTED)
    nodes = [edge["node"] for edge in answer["customers"]["edges"]]
    assert len(nodes) == 100
    assert sum(len(n["hasSubsidiary"]) for n in nodes) == 201
    assert nodes[0]["hasSubsidiary"][2] == {
        "key": "S001-0",
        "employs": [{"key": "BS001-0", "name": "b"}],
    }
    assert all(len(s["employs"]) == 1 for n in nodes for s in n["hasSubsidiary"])
    # The key and the registry in one read, then (compiled) the whole query in one, or
    # (resolvers) one page and one call per relation level: 300 parents, 4 calls
    # (add_api_key is the test client's key being made).
    work = {"read_operation": 1} if compiled else {"list_entities": 1, "neighbors": 2}
    assert counting.calls == Counter({"add_api_key": 1, "api_key_and_registry": 1, **work})
