"""An event accepted by this process is processed at once, not at the processor's next
poll: ``POST /events`` wakes its processor (both backends, real HTTP over ASGI)."""

from __future__ import annotations

import asyncio
import time

import httpx

from graph_crm.api import create_app
from graph_crm.api.app import event_processor
from graph_crm.incidents.events import EventStatus
from graph_crm.services.integrations import create_integration
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.signed_events import disruption, post_event
from tests.contract.logistics import customs_policy, load_logistics

#: Far longer than the test waits: only the wake-up can make the processor claim in time.
POLL_SECONDS = 120.0


async def test_an_accepted_event_wakes_the_processor(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    integration = await create_integration(store, "broker", ["disruption"], actor="tests")
    settings = Settings(
        backend="neo4j" if store.backend == "neo4j" else "embedded",
        event_poll_seconds=POLL_SECONDS,
    )
    app = create_app(settings, store=store)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
        event_processor(store, settings, app.state.event_wake),
    ):
        await asyncio.sleep(0.2)  # the processor found nothing due: it waits for its poll
        started = time.monotonic()
        sent = await post_event(http, integration.id, integration.secret, disruption())
        assert sent.status_code == 202, sent.text
        stored = None
        while time.monotonic() - started < 20:
            stored = await store.stored_event(integration.id, "evt-1")
            if stored is not None and stored.status is EventStatus.PROCESSED:
                break
            await asyncio.sleep(0.05)
        assert stored is not None
        assert stored.status is EventStatus.PROCESSED
        assert time.monotonic() - started < POLL_SECONDS / 4
    incident = await store.active_incident("Warehouse:W1")
    assert incident is not None
    assert (stored.incident_id, stored.version) == (incident.id, 1)
