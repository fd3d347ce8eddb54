"""The hub of incidentChanged subscribers (api/incident_feed_hub.py) over each backend's
store: started by its first subscriber, it gives each one only what comes after its own
position and passes its filter, with the status the incident had then; stopped by the last."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from graph_crm.api.incident_feed_hub import FeedEvent, FeedSubscriber, IncidentFeedHub
from graph_crm.incidents import incident as incidents
from graph_crm.incidents.feed_filter import check_feed_filter
from graph_crm.incidents.incident import IncidentStatus
from graph_crm.services.incidents import change_incident, report_disruption
from graph_crm.store.base import GraphStore
from graph_crm.store.budget import WorkBudget
from tests.contract.logistics import AS_OF, customs_policy, load_logistics


async def test_one_read_serves_every_subscriber_each_from_its_own_position(
    store: GraphStore,
) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    hub = IncidentFeedHub(lambda: store, WorkBudget())
    head = await store.incident_feed_head()
    made = await report_disruption(
        store, source_type="Warehouse", source_key="W1", delay_days=3, starts_at=None,
        now=AS_OF, actor="tests",
    )  # fmt: skip
    acked_at = AS_OF + timedelta(hours=1)
    await change_incident(
        store,
        made.incident.id,
        lambda i: incidents.move_to(i, IncidentStatus.ACKNOWLEDGED, actor="tests", at=acked_at),
        actor="tests",
        reason="acknowledged",
    )
    everything = hub.subscribe(check_feed_filter(None), head)
    open_only = hub.subscribe(check_feed_filter({"statuses": ["OPEN"]}), head)
    late = hub.subscribe(check_feed_filter(None), head + 1)
    try:
        told = [await _next(everything) for _ in range(2)]
        assert [(e.change.reason, e.status) for e in told] == [
            ("opened", IncidentStatus.OPEN),
            ("acknowledged", IncidentStatus.ACKNOWLEDGED),
        ]
        assert told[0].version is not None
        assert told[0].version.number == 1
        assert told[1].version is None
        # opened: OPEN then, though acknowledged now
        opened = await _next(open_only)
        assert opened.change.seq == head + 1
        acked = await _next(late)
        assert acked.change.reason == "acknowledged"
        # the acknowledgement went by the OPEN-only subscriber: its position moved on
        assert open_only.queue.empty()
        assert open_only.after == head + 2
    finally:
        for subscriber in (everything, open_only, late):
            hub.unsubscribe(subscriber)
    assert hub.subscribers == set()
    await hub.stop()


async def _next(subscriber: FeedSubscriber) -> FeedEvent:
    event = await asyncio.wait_for(subscriber.queue.get(), 10)
    assert event is not None
    return event
