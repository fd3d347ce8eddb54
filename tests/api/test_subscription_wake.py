"""A change this process stores reaches its subscribers at once, not at the feed
reader's next poll: a GraphQL change and an event processed from ``POST /events`` wake
it (both backends, a real WebSocket). The poll is made far longer than the test waits,
so only the wake-up can tell the subscriber in time."""

from __future__ import annotations

from graph_crm.api.app import event_processor
from graph_crm.auth.roles import Role
from graph_crm.services.integrations import create_integration
from graph_crm.settings import Settings
from graph_crm.store.base import GraphStore
from tests.api.asgi import bearer
from tests.api.graphql import succeed
from tests.api.incident_documents import CHANGED, REPORT_DISRUPTION
from tests.api.signed_events import disruption, post_event
from tests.api.sockets import Subscriber, connected, http, served
from tests.contract.logistics import customs_policy, load_logistics

#: Far longer than the test waits (tests/api/sockets.py's WAIT).
POLL_SECONDS = 120.0


async def _told(subscriber: Subscriber) -> dict[str, object]:
    message = await subscriber.receive()
    assert message["type"] == "next", message
    event: dict[str, object] = message["payload"]["data"]["incidentChanged"]
    return event


async def test_a_graphql_change_wakes_the_feed_reader(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    risk = await bearer(store, Role.RISK)
    async with (
        served(store) as (address, app),
        http(address, risk) as client,
        connected(address, {"Authorization": risk["Authorization"]}) as subscriber,
    ):
        app.state.feed_hub.poll_seconds = POLL_SECONDS
        # from the head read now, not the one the server reads as it subscribes: the
        # change may land first (a subscription gives no acknowledgement to wait for)
        await subscriber.subscribe("1", CHANGED, after=await store.incident_feed_head())
        await succeed(
            client,
            REPORT_DISRUPTION,
            "reportDisruption",
            source={"type": "Warehouse", "key": "W1"},
            delay=3,
        )
        assert (await _told(subscriber))["reason"] == "opened"


async def test_a_processed_event_wakes_the_feed_reader(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    integration = await create_integration(store, "broker", ["disruption"], actor="tests")
    risk = await bearer(store, Role.RISK)
    settings = Settings(backend="neo4j" if store.backend == "neo4j" else "embedded")
    async with (
        served(store) as (address, app),
        http(address, {}) as client,
        connected(address, {"Authorization": risk["Authorization"]}) as subscriber,
        event_processor(store, settings, app.state.event_wake, app.state.feed_hub.wake),
    ):
        app.state.feed_hub.poll_seconds = POLL_SECONDS
        # as above: a fast event processor may store the change before the subscription
        # reads the feed's head, which would then start after it
        await subscriber.subscribe("1", CHANGED, after=await store.incident_feed_head())
        sent = await post_event(client, integration.id, integration.secret, disruption())
        assert sent.status_code == 202, sent.text
        told = await _told(subscriber)
        assert told["reason"] == "opened"
