"""One real server: `graph-crm serve` under uvicorn on a loopback port."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.api.graphql import DEFINE_ENTITY_TYPE, ENTITY, UPSERT
from tests.api.scenario import run_scenario
from tests.api.servers import admin_key, serving


def test_serve_answers_graphql_over_a_real_socket(tmp_path: Path) -> None:
    headers = admin_key(tmp_path)
    with serving(tmp_path) as base:
        health = httpx.get(f"{base}/healthz").json()
        assert health == {"status": "ok", "backend": "embedded", "registryVersion": 0}
        refused = httpx.post(f"{base}/graphql", json={"query": "{ schemaVersion }"})
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
        with httpx.Client(base_url=base, timeout=10, headers=headers) as http:
            defined = http.post(
                "/graphql",
                json={
                    "query": DEFINE_ENTITY_TYPE,
                    "variables": {
                        "input": {
                            "name": "CustomsBroker",
                            "properties": [{"name": "name", "kind": "STRING", "required": True}],
                        }
                    },
                },
            ).json()
            assert defined["data"]["defineEntityType"]["schemaVersion"] == 1
            written = http.post(
                "/graphql",
                json={
                    "query": UPSERT,
                    "variables": {
                        "type": "CustomsBroker",
                        "records": [{"key": "CB-1", "name": "鹿特丹报关行"}],
                    },
                },
            ).json()
            assert written["data"]["upsertEntities"]["created"] == 1
            found = http.post(
                "/graphql", json={"query": ENTITY, "variables": {"id": "CustomsBroker:CB-1"}}
            ).json()
            assert found["data"]["entity"]["properties"] == {"name": "鹿特丹报关行"}


async def test_the_scenario_over_a_real_socket(tmp_path: Path) -> None:
    headers = admin_key(tmp_path)
    with serving(tmp_path) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers) as client:
            await run_scenario(client)


def test_every_worker_process_serves_a_type_another_one_defined(tmp_path: Path) -> None:
    warehouse = {"name": "Warehouse", "properties": [{"name": "city", "kind": "STRING"}]}
    headers = admin_key(tmp_path)
    with serving(tmp_path, "--workers", "2") as base:
        defined = httpx.post(
            f"{base}/graphql",
            json={"query": DEFINE_ENTITY_TYPE, "variables": {"input": warehouse}},
            headers=headers,
        ).json()
        assert defined["data"]["defineEntityType"]["schemaVersion"] == 1
        # A new connection each time, so the kernel spreads them over both workers.
        for _ in range(12):
            answer = httpx.post(
                f"{base}/graphql", json={"query": "{ warehouses { totalCount } }"}, headers=headers
            ).json()
            assert answer == {"data": {"warehouses": {"totalCount": 0}}}
