"""Open incidents kept current, through real HTTP on both backends: GraphQL writes on
the ASGI app while the app's event processor runs; a relevant write shows up as a new
``re-evaluated`` version of ``incident(id)``, an unrelated one asks for nothing, and a
hostile write is refused with nothing stored or asked.

The graph is tests/contract/logistics.py's; the incident is reported through GraphQL
and evaluated on the clock, as the processor evaluates.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from graph_crm.api.app import event_processor
from graph_crm.incidents.reevaluation import INTERNAL_INTEGRATION
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.graphql import LINK, UPSERT, data, succeed
from tests.api.incident_documents import INCIDENT, REPORT_DISRUPTION
from tests.contract.logistics import customs_policy, load_logistics

W1 = {"type": "Warehouse", "key": "W1"}
VERSIONS = """
query Versions($id: ID!) {
  incident(id: $id) { revision version versions(first: 20) { items { number reason changes
    diff { entered { target } } } } }
}"""


async def _opened(client: httpx.AsyncClient, store: GraphStore) -> str:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    made = await succeed(client, REPORT_DISRUPTION, "reportDisruption", source=W1, delay=3)
    incident_id: str = made["incident"]["id"]
    return incident_id


async def _versions(client: httpx.AsyncClient, incident_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = (await data(client, VERSIONS, id=incident_id))["incident"][
        "versions"
    ]["items"]
    return items


async def _until(
    client: httpx.AsyncClient, store: GraphStore, incident_id: str, count: int
) -> list[dict[str, Any]]:
    """The versions, as the API shows them, once the store holds ``count`` (watched in the
    store, not by polling the API: its requests count against the role's rate limit; a
    loaded machine may need a retry or two of the worker: 60 s at most)."""
    for _ in range(600):
        if len(await store.incident_versions(incident_id)) >= count:
            return await _versions(client, incident_id)
        await asyncio.sleep(0.1)
    event = await store.stored_event(INTERNAL_INTEGRATION, f"reevaluate-{incident_id}")
    raise AssertionError(f"no version {count} of {incident_id} within 60 s: {event}")


def _settings(store: GraphStore) -> Settings:
    backend = "neo4j" if store.backend == "neo4j" else "embedded"
    return Settings(backend=backend, event_poll_seconds=0.05)


async def test_a_graphql_write_through_the_source_adds_a_version_the_api_shows(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    incident_id = await _opened(client, store)
    async with event_processor(store, _settings(store)):
        # unrelated: a name no policy reads
        await succeed(
            client, UPSERT, "upsertEntities", type="Customer", records=[{"key": "CA", "name": "x"}]
        )
        assert await store.stored_event(INTERNAL_INTEGRATION, f"reevaluate-{incident_id}") is None
        # relevant: a shipment booked through W1 for a new customer
        await succeed(
            client,
            UPSERT,
            "upsertEntities",
            type="Shipment",
            records=[{"key": "S9", "status": "IN_TRANSIT", "value": 300.0}],
        )
        await succeed(client, UPSERT, "upsertEntities", type="Customer", records=[{"key": "CN"}])
        await succeed(
            client, LINK, "linkEntities", relation="SHIPPED_FOR", links=[{"from": "S9", "to": "CN"}]
        )
        await succeed(
            client, LINK, "linkEntities", relation="ROUTED_VIA", links=[{"from": "S9", "to": "W1"}]
        )
        versions = await _until(client, store, incident_id, 2)
    newest = versions[-1]
    assert newest["reason"] == "re-evaluated"
    # the worker may have taken the first link's ask, and read the graph after the second
    assert newest["changes"] in (["ROUTED_VIA"], ["SHIPPED_FOR"], ["ROUTED_VIA", "SHIPPED_FOR"])
    assert {"target": "Customer:CN"} in newest["diff"][0]["entered"]
    assert [v["reason"] for v in versions][0] == "opened"
    whole = await data(client, INCIDENT, id=incident_id, since=0, first=5)
    assert whole["incident"]["version"] == len(versions)
    assert "Customer:CN" in {item["target"] for item in whole["incident"]["checklist"]}


HOSTILE: list[dict[str, Any]] = [
    {"key": "S1", "status": "IN_TRANSIT", "value": "1e309"},
    {"key": "S1", "status": "IN_TRANSIT", "`value`": 5.0},
    {"key": "", "status": "IN_TRANSIT"},
    {"key": "S1", "status": "IN_TRANSIT}) DETACH DELETE n //"},
]


@pytest.mark.parametrize("record", HOSTILE)
async def test_a_hostile_write_is_refused_and_asks_for_nothing(
    client: httpx.AsyncClient, store: GraphStore, record: dict[str, Any]
) -> None:
    incident_id = await _opened(client, store)
    before = await store.get_entities(["Shipment:S1"])
    result = (await data(client, UPSERT, type="Shipment", records=[record]))["upsertEntities"]
    assert result["__typename"] == "Error", result
    assert result["code"]
    assert result["path"]
    assert await store.get_entities(["Shipment:S1"]) == before
    assert await store.stored_event(INTERNAL_INTEGRATION, f"reevaluate-{incident_id}") is None
    assert [v["number"] for v in await _versions(client, incident_id)] == [1]


async def test_a_key_that_looks_like_a_query_is_a_key_and_asks_for_nothing(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    incident_id = await _opened(client, store)
    key = "S1' OR 1=1 --"
    records = [{"key": key, "status": "IN_TRANSIT", "value": 1.0}]
    await succeed(client, UPSERT, "upsertEntities", type="Shipment", records=records)
    [stored] = await store.get_entities([f"Shipment:{key}"])
    assert stored is not None
    assert stored.key == key
    # a shipment created, linked to nothing, reaches no customer
    assert await store.stored_event(INTERNAL_INTEGRATION, f"reevaluate-{incident_id}") is None
    records[0]["value"] = 2.0  # changed in place: a property the policy reads
    await succeed(client, UPSERT, "upsertEntities", type="Shipment", records=records)
    asked = await store.stored_event(INTERNAL_INTEGRATION, f"reevaluate-{incident_id}")
    assert asked is not None
    assert asked.payload["changes"] == ["Shipment.value"]
