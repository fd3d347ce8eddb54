"""Events through real `graph-crm serve` processes, on both backends: an accepted event
survives SIGKILLs before and during its processing and is processed exactly once after
restart; two servers on one store process each of N events exactly once.

The servers' hook ``GRAPH_CRM_EVENT_HOLD_SECONDS`` makes a worker wait between claiming
an event and processing it, so a kill lands inside its lease.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_crm.auth.integrations import Integration
from graph_crm.incidents.events import EventStatus, StoredEvent
from graph_crm.services.integrations import create_integration
from tests.api.signed_events import disruption, signed_headers
from tests.contract.logistics import customs_policy, load_logistics
from tests.faults.backends import BACKENDS, Backend, backend_of
from tests.faults.processes import ApiProcess

pytestmark = pytest.mark.faults


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return await backend_of(request, tmp_path)


async def _prepared(backend: Backend) -> Integration:
    async with backend.store() as store:
        await load_logistics(store)
        await store.define_impact_policy(customs_policy())
        return await create_integration(store, "faults", ["disruption"], actor="faults")


def _post(server: ApiProcess, integration: Integration, event: dict[str, Any]) -> httpx.Response:
    body = json.dumps(event).encode()
    headers = signed_headers(integration.id, integration.secret, body)
    return httpx.post(f"{server.base}/events", content=body, headers=headers, timeout=30)


async def _event(backend: Backend, integration: Integration, event_id: str) -> StoredEvent:
    async with backend.store() as store:
        found = await store.stored_event(integration.id, event_id)
    assert found is not None
    return found


async def _until(
    backend: Backend,
    integration: Integration,
    event_ids: list[str],
    done: Callable[[StoredEvent], bool],
    timeout: float = 90.0,
) -> list[StoredEvent]:
    deadline = time.monotonic() + timeout
    while True:
        found = [await _event(backend, integration, event_id) for event_id in event_ids]
        if all(map(done, found)):
            return found
        assert time.monotonic() < deadline, [(e.event_id, e.status, e.error) for e in found]
        await asyncio.sleep(0.3)


async def _incident_history(backend: Backend) -> tuple[int, list[int], list[str]]:
    """Incidents, the versions of the one there is, and the incident audit actions."""
    async with backend.store() as store:
        page = await store.incidents()
        versions = (
            [v.number for v in await store.incident_versions(page.items[0].id)]
            if page.items
            else []
        )
        log = await store.audit_log(kind="incident", first=500)
    return page.total_count, versions, [r.action.value for r in log.items]


async def test_an_event_survives_sigkills_and_is_processed_exactly_once(
    backend: Backend, tmp_path: Path
) -> None:
    integration = await _prepared(backend)
    log = tmp_path / "server.log"
    # 1. accepted by a server that does not process events, then killed
    accepting = backend.server(log, GRAPH_CRM_EVENT_PROCESSING="false")
    accepting.start()
    try:
        sent = _post(accepting, integration, disruption())
        assert sent.status_code == 202, sent.text
    finally:
        accepting.kill()
    assert (await _event(backend, integration, "evt-1")).status is EventStatus.ACCEPTED
    # 2. claimed by a server that holds it before processing, killed inside the lease
    holding = backend.server(log, GRAPH_CRM_EVENT_HOLD_SECONDS="60")
    holding.start()
    try:
        [claimed] = await _until(
            backend, integration, ["evt-1"], lambda e: e.status is EventStatus.PROCESSING
        )
    finally:
        holding.kill()
    assert claimed.attempts == 1
    assert (await _incident_history(backend))[0] == 0
    # 3. a normal server takes it over once the lease ran out, and processes it once
    restarted = backend.server(log)
    restarted.start()
    try:
        [done] = await _until(
            backend, integration, ["evt-1"], lambda e: e.status is EventStatus.PROCESSED
        )
        again = _post(restarted, integration, disruption())
        await asyncio.sleep(1.0)  # room for a wrong second processing to show
    finally:
        restarted.stop()
    assert done.attempts == 2
    assert (again.status_code, again.json()["status"]) == (200, "processed")
    assert await _incident_history(backend) == (1, [1], ["incident.open"])


async def test_two_servers_on_one_store_process_each_event_exactly_once(
    backend: Backend, tmp_path: Path
) -> None:
    integration = await _prepared(backend)
    servers = [backend.server(tmp_path / f"server-{n}.log") for n in range(2)]
    count = 12
    ids = [f"evt-{n}" for n in range(count)]
    for server in servers:
        server.start()
    try:
        for number, event_id in enumerate(ids):
            # each event's delay differs: each is its own version of the one incident
            event = disruption(event_id, delayDays=1 + number)
            sent = _post(servers[number % 2], integration, event)
            assert sent.status_code == 202, sent.text
        found = await _until(
            backend, integration, ids, lambda e: e.status is EventStatus.PROCESSED, 180
        )
    finally:
        for server in servers:
            server.stop()
    incidents, versions, actions = await _incident_history(backend)
    assert incidents == 1
    assert versions == list(range(1, count + 1))
    assert sorted(e.version for e in found if e.version is not None) == versions
    # recorded at each report's evaluation time: two workers' records may interleave
    assert sorted(actions) == ["incident.change"] * (count - 1) + ["incident.open"]
