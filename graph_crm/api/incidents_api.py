"""Incidents in the core schema: ``incidents``, ``incident`` and the risk team's
mutations (``access.py``: the ``impact`` permission, so the risk role and admins).

The same operations as ``graph-crm incidents`` (:mod:`graph_crm.services.incidents`); the
store writes each change's audit record (``incident.open``, ``incident.change``) with
the key the request came with as its actor. A refused change stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import strawberry

from graph_crm.api.context import Info, field, mutation
from graph_crm.api.errors import as_result
from graph_crm.api.incident_types import (
    DisruptionSourceInput,
    IncidentConnectionType,
    IncidentEdgeType,
    IncidentFilterInput,
    IncidentPayloadType,
    IncidentResult,
    IncidentType,
    IncidentVersionType,
)
from graph_crm.api.limits import check_first
from graph_crm.api.types import PageInfo
from graph_crm.clock import utc_now
from graph_crm.incidents import incident as incidents
from graph_crm.incidents.incident import Incident, IncidentStatus
from graph_crm.incidents.listing import MAX_PAGE, incident_cursor
from graph_crm.services.incidents import change_incident, report_disruption


@strawberry.type
class IncidentsQuery:
    @field(
        "Incidents, newest first; filter by status (any of) and source. The risk role and admins."
    )
    async def incidents(
        self,
        info: Info,
        filter: IncidentFilterInput | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> IncidentConnectionType:
        wanted = filter or IncidentFilterInput()
        page = await info.context.store.incidents(
            status=None if wanted.status is None else [s.value for s in wanted.status],
            source=None if wanted.source is None else str(wanted.source),
            first=check_first(first, min(MAX_PAGE, info.context.limits.page_size)),
            after=after,
        )
        return IncidentConnectionType(
            total_count=page.total_count,
            edges=[
                IncidentEdgeType(cursor=incident_cursor(i), node=IncidentType.from_model(i))
                for i in page.items
            ],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )

    @field("One incident by id (inc- and 16 hex digits), or null.")
    async def incident(self, info: Info, id: strawberry.ID) -> IncidentType | None:
        found = await info.context.store.incident(str(id))
        return None if found is None else IncidentType.from_model(found)


async def _change(
    info: Info,
    id: strawberry.ID,
    revision: int | None,
    reason: str,
    change: Callable[[Incident], Incident],
) -> IncidentResult:
    context = info.context

    async def run() -> IncidentPayloadType:
        changed = await change_incident(
            context.store, str(id), change, actor=context.actor, reason=reason, revision=revision
        )
        return IncidentPayloadType(
            incident=IncidentType.from_model(changed), version=None, opened=False
        )

    result = await as_result(run)
    _wake_feed(info)
    return result


def _wake_feed(info: Info) -> None:
    """This process's subscribers hear of the change at once, not at the next poll."""
    info.context.request.app.state.feed_hub.wake()


async def _move(
    info: Info, id: strawberry.ID, revision: int | None, status: IncidentStatus
) -> IncidentResult:
    actor = info.context.actor
    return await _change(
        info,
        id,
        revision,
        status.value.lower(),
        lambda i: incidents.move_to(i, status, actor=actor, at=utc_now()),
    )


REVISION = (
    "revision (optional): the incident's revision you read; if it moved on since, "
    "STALE_REVISION and nothing changes."
)


@strawberry.type
class IncidentsMutation:
    @mutation(
        "Source S is delayed delayDays days from startsAt (default now): evaluate every "
        "impact policy of S's type and store the reports as a new version of S's open "
        "incident (the diff to the previous one included), or open one. The risk role "
        "and admins."
    )
    async def report_disruption(
        self,
        info: Info,
        source: DisruptionSourceInput,
        delay_days: float,
        starts_at: str | None = None,
        note: str = "",
    ) -> IncidentResult:
        context = info.context

        async def run() -> IncidentPayloadType:
            made = await report_disruption(
                context.store,
                source_type=source.type,
                source_key=source.key,
                delay_days=delay_days,
                starts_at=starts_at,
                note=note,
                now=utc_now(),
                actor=context.actor,
            )
            return IncidentPayloadType(
                incident=IncidentType.from_model(made.incident),
                version=IncidentVersionType.from_model(made.version),
                opened=made.opened,
            )

        result = await as_result(run)
        _wake_feed(info)
        return result

    @mutation("OPEN -> ACKNOWLEDGED, by the caller. " + REVISION)
    async def acknowledge_incident(
        self, info: Info, id: strawberry.ID, revision: int | None = None
    ) -> IncidentResult:
        return await _move(info, id, revision, IncidentStatus.ACKNOWLEDGED)

    @mutation("OPEN or ACKNOWLEDGED -> RESOLVED, by the caller. " + REVISION)
    async def resolve_incident(
        self, info: Info, id: strawberry.ID, revision: int | None = None
    ) -> IncidentResult:
        return await _move(info, id, revision, IncidentStatus.RESOLVED)

    @mutation("Make owner (a person or team, one line) own the incident. " + REVISION)
    async def assign_incident(
        self, info: Info, id: strawberry.ID, owner: str, revision: int | None = None
    ) -> IncidentResult:
        return await _change(
            info, id, revision, "assigned", lambda i: incidents.assign(i, owner, at=utc_now())
        )

    @mutation("Add a note (at most 4000 characters) by the caller. " + REVISION)
    async def add_incident_note(
        self, info: Info, id: strawberry.ID, text: str, revision: int | None = None
    ) -> IncidentResult:
        actor = info.context.actor
        return await _change(
            info,
            id,
            revision,
            "note added",
            lambda i: incidents.add_note(i, text, actor=actor, at=utc_now()),
        )

    @mutation(
        "Mark one action of an affected customer's plan done (done: false: not done), by "
        "the caller. " + REVISION
    )
    async def check_incident_action(
        self,
        info: Info,
        id: strawberry.ID,
        target: strawberry.ID,
        action: str,
        done: bool = True,
        revision: int | None = None,
    ) -> IncidentResult:
        actor = info.context.actor
        return await _change(
            info,
            id,
            revision,
            "action checked" if done else "action unchecked",
            lambda i: incidents.check_action(
                i, str(target), action, done=done, actor=actor, at=utc_now()
            ),
        )
