"""The core schema's subscriptions: ``incidentChanged(filter, after)``, served over
WebSocket (``graphql-transport-ws``, :mod:`graph_crm.api.graphql_socket`).

Each notification is one change of the incidents' change feed
(:mod:`graph_crm.incidents.feed`) that the filter passes: the incident, the version the
change stored (null if it stored none), that version's totals, top rows and diff. The
events come from this process's :class:`~graph_crm.api.incident_feed_hub.IncidentFeedHub`
(``app.state.feed_hub``). Who may subscribe: whoever may read incidents (``access.py``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Final

import strawberry

from graph_crm.api.context import Info, field, subscription
from graph_crm.api.impact import ImpactTarget
from graph_crm.api.incident_feed_hub import FeedEvent, IncidentFeedHub
from graph_crm.api.incident_types import (
    IncidentPolicyDiffType,
    IncidentStatusEnum,
    IncidentTotalsType,
    IncidentType,
    IncidentVersionType,
)
from graph_crm.errors import GraphCrmError, InvalidInput, LimitExceeded
from graph_crm.incidents.feed_filter import FeedFilter, check_feed_filter
from graph_crm.store.uncut import uncut

#: The most rows ``topRows(first)`` gives per policy.
MAX_TOP_ROWS: Final = 100


class SubscriberTooSlow(GraphCrmError):
    """A subscriber fell too many notifications behind: its connection is closed."""

    code = "SUBSCRIBER_TOO_SLOW"


@strawberry.input(
    name="IncidentChangeFilter",
    description="Which changes to be told about; each field given narrows, an empty "
    "filter passes every change.",
)
class IncidentChangeFilterInput:
    incident_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Only these incidents (inc- and 16 hex digits)."
    )
    sources: list[strawberry.ID] | None = strawberry.field(
        default=None, description='Only incidents of these sources, global ids "<Type>:<key>".'
    )
    source_types: list[str] | None = strawberry.field(
        default=None, description="Only incidents whose source is of these entity types."
    )
    statuses: list[IncidentStatusEnum] | None = strawberry.field(
        default=None, description="Only changes after which the incident has one of these."
    )
    versions_only: bool = strawberry.field(
        default=False, description="Only changes that stored a new version."
    )


@strawberry.type(name="IncidentTopRows", description="A version's first rows of one policy.")
class IncidentTopRowsType:
    policy: str
    rows: list[ImpactTarget]


@strawberry.type(
    name="IncidentChangedEvent",
    description="One stored change of an incident: the incident as it is now, and the "
    "version the change stored (null, and so its totals, top rows and diff, if none).",
)
class IncidentChangedEventType:
    seq: int = strawberry.field(
        description="The change's number in the feed: pass the last one seen as `after` "
        "to resume without a loss."
    )
    reason: str = strawberry.field(description="opened, acknowledged, assigned, note added, …")
    at: datetime
    revision: int = strawberry.field(description="The incident's revision after the change.")
    status: IncidentStatusEnum = strawberry.field(
        description="The incident's status right after the change (the incident's own "
        "status is its status now)."
    )
    incident: IncidentType = strawberry.field(
        description="The incident as it is now (a later change may have moved it on)."
    )
    version: IncidentVersionType | None
    _event: strawberry.Private[FeedEvent]

    @field("The version's totals, summed over its policies; null if the change stored none.")
    def totals(self) -> IncidentTotalsType | None:
        return None if self.version is None else self.version.totals

    @field("The version's diff to the previous one, per policy; null if it stored none.")
    def diff(self) -> list[IncidentPolicyDiffType] | None:
        return None if self.version is None else self.version.diff

    @field(f"Per policy, the version's first `first` rows (0 to {MAX_TOP_ROWS}), by rank.")
    def top_rows(self, first: int = 10) -> list[IncidentTopRowsType] | None:
        if isinstance(first, bool) or not 0 <= first <= MAX_TOP_ROWS:
            raise LimitExceeded(f"first must be from 0 to {MAX_TOP_ROWS}", path=("first",))
        if self.version is None:
            return None
        return [
            IncidentTopRowsType(policy=report.policy, rows=report.targets[:first])
            for report in self.version.reports
        ]

    @classmethod
    def from_event(cls, event: FeedEvent) -> IncidentChangedEventType:
        change = event.change
        return cls(
            seq=change.seq,
            reason=change.reason,
            at=change.at,
            revision=change.revision,
            status=IncidentStatusEnum(event.status.value),
            incident=IncidentType.from_model(event.incident),
            version=None
            if event.version is None
            else IncidentVersionType.from_model(event.version),
            _event=event,
        )


def checked_filter(given: IncidentChangeFilterInput | None) -> FeedFilter:
    """The filter as :func:`check_feed_filter` checks it; InvalidInput at ``filter.…``."""
    if given is None:
        return FeedFilter()
    raw = {
        "incidentIds": None if given.incident_ids is None else [str(i) for i in given.incident_ids],
        "sources": None if given.sources is None else [str(s) for s in given.sources],
        "sourceTypes": given.source_types,
        "statuses": None if given.statuses is None else [s.value for s in given.statuses],
        "versionsOnly": given.versions_only,
    }
    try:
        return check_feed_filter({k: v for k, v in raw.items() if v is not None})
    except InvalidInput as error:
        raise type(error)(error.message, path=("filter", *error.path)) from None


async def _events(
    hub: IncidentFeedHub, wanted: FeedFilter, after: int
) -> AsyncGenerator[IncidentChangedEventType, None]:
    # subscribed once iterated, so a stream dropped before its first read leaves nothing
    subscriber = hub.subscribe(wanted, after)
    try:
        while True:
            event = await subscriber.queue.get()
            if event is None or subscriber.overflowed:
                raise SubscriberTooSlow(
                    f"more than {subscriber.capacity} notifications were waiting for this "
                    "subscriber: read faster or narrow the filter, then resume with `after`",
                )
            yield IncidentChangedEventType.from_event(event)
    finally:
        hub.unsubscribe(subscriber)


@strawberry.type(name="Subscription")
class CoreSubscription:
    @subscription(
        "Each stored change of an incident that `filter` passes, from now on "
        "(or from after the change numbered `after`, to resume without a loss). Over "
        "WebSocket (graphql-transport-ws) at /graphql; the risk role and admins."
    )
    async def incident_changed(
        self,
        info: Info,
        filter: IncidentChangeFilterInput | None = None,
        after: int | None = None,
    ) -> AsyncGenerator[IncidentChangedEventType, None]:
        wanted = checked_filter(filter)
        hub: IncidentFeedHub = info.context.request.app.state.feed_hub
        # where "from now on" starts: the feed's head as the subscription is made
        head = await uncut(info.context.store.incident_feed_head())
        if after is not None and (isinstance(after, bool) or not 0 <= after <= head):
            raise InvalidInput(
                f"after must be a change number from 0 to the feed's last, {head}",
                path=("after",),
            )
        return _events(hub, wanted, head if after is None else after)
