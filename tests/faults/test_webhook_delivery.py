"""Webhooks through real `graph-crm serve` processes, on both backends: a signed event
becomes an incident whose change the server's own worker fans out and POSTs to a local
receiver; a server SIGKILLed while the receiver hangs leaves the delivery to its lease,
and the next server delivers it once the lease ran out (the receiver sees one delivery
id twice: it dedupes on it), with one delivery stored per (webhook, change)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from graph_crm.incidents.delivery import Delivery, DeliveryStatus
from graph_crm.services.integrations import create_integration
from graph_crm.services.webhooks import create_webhook
from tests.api.signed_events import disruption, signed_headers
from tests.api.webhook_receiver import Receiver, receiving
from tests.contract.logistics import customs_policy, load_logistics
from tests.faults.backends import BACKENDS, Backend, backend_of

pytestmark = pytest.mark.faults

WEBHOOKS = {
    "GRAPH_CRM_WEBHOOK_POLL_SECONDS": "0.1",
    "GRAPH_CRM_WEBHOOK_LEASE_SECONDS": "2",
    "GRAPH_CRM_WEBHOOK_TIMEOUT_SECONDS": "120",
}


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return await backend_of(request, tmp_path)


async def _deliveries(backend: Backend) -> list[Delivery]:
    async with backend.store() as store:
        return await store.deliveries()


async def _until(check: Callable[[], Awaitable[bool]], what: str, limit: float = 90.0) -> None:
    deadline = time.monotonic() + limit
    while not await check():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.2)


async def test_a_delivery_survives_a_sigkill_mid_post_and_is_delivered_after_restart(
    backend: Backend, tmp_path: Path
) -> None:
    async with receiving() as receiver:
        async with backend.store() as store:
            await load_logistics(store)
            await store.define_impact_policy(customs_policy())
            integration = await create_integration(store, "faults", ["disruption"], actor="t")
            hook = await create_webhook(store, "desk", f"{receiver.base}/hang", None, actor="t")
        receiver.secrets["/hang"] = hook.secret
        log = tmp_path / "server.log"

        first = backend.server(log, **WEBHOOKS)
        first.start()
        try:
            body = json.dumps(disruption()).encode()
            headers = signed_headers(integration.id, integration.secret, body)
            sent = httpx.post(f"{first.base}/events", content=body, headers=headers, timeout=30)
            assert sent.status_code == 202, sent.text

            async def posted() -> bool:
                return bool(receiver.on("/hang"))

            await _until(posted, "the worker did not POST the notification")
        finally:
            first.kill()
        (leased,) = await _deliveries(backend)
        assert (leased.status, leased.attempts) == (DeliveryStatus.DELIVERING, ())

        receiver.recovered.set()
        second = backend.server(log, **WEBHOOKS)
        second.start()
        try:

            async def delivered() -> bool:
                found = await _deliveries(backend)
                return bool(found) and found[0].status is DeliveryStatus.DELIVERED

            await _until(delivered, "the next server did not deliver it")
        finally:
            second.stop()
    (done,) = await _deliveries(backend)
    assert [attempt.status_code for attempt in done.attempts] == [200]
    _check_told(receiver, done)


def _check_told(receiver: Receiver, delivery: Delivery) -> None:
    told = receiver.on("/hang")
    assert [request.delivery for request in told] == [delivery.id, delivery.id]
    assert all(request.signed for request in told)
    notification = json.loads(told[-1].body)
    assert notification["seq"] == delivery.seq
    assert notification["incident"]["source"] == "Warehouse:W1"
    assert notification["version"]["number"] == 1
    assert notification["totals"]["affected"] >= len(notification["topRows"]) > 0
    assert notification["diff"][0]["entered"]
