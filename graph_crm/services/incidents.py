"""Incidents over a store, for every front end (GraphQL, CLI, and later events).

:func:`report_disruption` turns "source S is delayed D days" into an incident: it
evaluates every impact policy whose source type is S's, and stores the reports as a new
version of the incident open for S (or opens one), with the diff to the version before.
:func:`change_incident` applies one of the team's changes (acknowledge, resolve, assign,
note, check an action) to the stored incident under its optimistic revision.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from graph_crm.errors import Conflict, InvalidInput, NotFound, StaleRevision, UnknownType
from graph_crm.impact.report import ImpactReport
from graph_crm.impact.report_inputs import MAX_LIMIT, check_delay, parse_as_of
from graph_crm.incidents.incident import Incident, open_incident, stale_revision, with_version
from graph_crm.incidents.text import MAX_NOTE_LENGTH, checked_name, checked_text
from graph_crm.incidents.version import IncidentVersion, VersionReason, next_version
from graph_crm.model.names import check_entity_type_name
from graph_crm.model.records import global_id, parse_global_id
from graph_crm.services.impact_report import impact_report
from graph_crm.store.base import GraphStore
from graph_crm.store.events import EventLease

#: Times an event is applied again after another writer changed the incident first.
ATTEMPTS: Final = 5


@dataclass(frozen=True, slots=True)
class Disruption:
    """What reporting a disruption stored: the incident and its new version."""

    incident: Incident
    version: IncidentVersion
    #: The report opened the incident (else it updated the one open for its source).
    opened: bool


def new_incident_id() -> str:
    return f"inc-{secrets.token_hex(8)}"


def _source(source_type: object, source_key: object) -> str:
    try:
        type_name = check_entity_type_name(source_type)
    except InvalidInput as error:
        raise type(error)(error.message, path=("source", "type")) from None
    if not isinstance(source_key, str):
        raise InvalidInput("the source's key must be a string", path=("source", "key"))
    return global_id(*parse_global_id(global_id(type_name, source_key), ("source", "key")))


async def policies_for(store: GraphStore, source_type: str) -> list[str]:
    """The names of the stored impact policies whose source type is ``source_type``."""
    registry = await store.registry()
    if source_type not in registry.entity_types:
        raise UnknownType(f"there is no entity type {source_type!r}", path=("source", "type"))
    names = sorted(
        name
        for name, definition in registry.policies.items()
        if isinstance(definition, dict) and definition.get("source") == source_type
    )
    if not names:
        raise InvalidInput(
            f"no impact policy has source type {source_type!r}: define one first",
            path=("source", "type"),
        )
    return names


async def evaluate(
    store: GraphStore, source: str, delay_days: float, at: datetime
) -> list[ImpactReport]:
    """One whole report (every affected customer) per policy of ``source``'s type."""
    names = await policies_for(store, parse_global_id(source, ("source",))[0])
    return [
        await impact_report(
            store, source=source, policy=name, delay_days=delay_days, as_of=at, limit=MAX_LIMIT
        )
        for name in names
    ]


async def report_disruption(
    store: GraphStore,
    *,
    source_type: Any,
    source_key: Any,
    delay_days: Any,
    starts_at: Any,
    note: Any = "",
    now: datetime,
    actor: str,
    event: EventLease | None = None,
) -> Disruption:
    """Record that the source is delayed ``delay_days`` from ``starts_at``, evaluated as
    of ``now``: a new version of the source's open incident (the same delay again:
    "reported again"; another: "delay updated"), or a new incident. Bad input is
    InvalidInput (or UnknownType, NotFound for an absent source) at its argument, and
    stores nothing. ``event``: the leased event this processes, marked processed in the
    transaction that stores the version (LeaseLost, nothing stored, if the lease is gone)."""
    source = _source(source_type, source_key)
    delay = check_delay(delay_days)
    try:
        start = parse_as_of(starts_at, now=now)
    except InvalidInput as error:
        raise InvalidInput(error.message.replace("asOf", "startsAt"), path=("startsAt",)) from None
    text = checked_text("" if note is None else note, "note", MAX_NOTE_LENGTH, empty=True)
    actor = checked_name(actor, "actor")
    # evaluated once: a lost race below is another write of the incident, not of the graph
    reports = await evaluate(store, source, delay, now)
    for _ in range(ATTEMPTS):
        active = await store.active_incident(source)
        try:
            if active is None:
                first = next_version(
                    None, reports, reason=VersionReason.OPENED, delay_days=delay, at=now
                )
                incident = open_incident(
                    new_incident_id(), first, source=source, starts_at=start, note=text, actor=actor
                )
                await store.open_incident(incident, first, actor=actor, event=event)
                return Disruption(incident, first, opened=True)
            return await _update(store, active, reports, delay, text, now, actor, event)
        except (Conflict, StaleRevision):
            continue  # another event for this source won the race: apply on top of it
    raise Conflict(
        f"{source!r} changed {ATTEMPTS} times while this report was stored: report it again",
        path=("source",),
    )


async def _update(
    store: GraphStore,
    active: Incident,
    reports: list[ImpactReport],
    delay: float,
    note: str,
    now: datetime,
    actor: str,
    event: EventLease | None,
) -> Disruption:
    previous = (await store.incident_versions(active.id, since=active.version - 1))[-1]
    same = delay == active.delay_days
    reason = VersionReason.REPORTED_AGAIN if same else VersionReason.DELAY_UPDATED
    version = next_version(previous, reports, reason=reason, delay_days=delay, at=now)
    incident = with_version(active, version, note=note or None)
    await store.update_incident(
        incident, version=version, actor=actor, reason=reason.value, event=event
    )
    return Disruption(incident, version, opened=False)


async def change_incident(
    store: GraphStore,
    incident_id: str,
    change: Callable[[Incident], Incident],
    *,
    actor: str,
    reason: str,
    revision: int | None = None,
) -> Incident:
    """Apply ``change`` to the stored incident and store the result. ``revision``: the
    revision the caller saw; if the incident moved on since, StaleRevision (at
    ``revision``) and nothing changes. A refused change stores nothing."""
    incident = await store.incident(incident_id)
    if incident is None:
        raise NotFound(f"there is no incident {incident_id!r}", path=("id",))
    if revision is not None and revision != incident.revision:
        raise stale_revision(incident_id, incident.revision, revision)
    changed = change(incident)
    await store.update_incident(changed, actor=checked_name(actor, "actor"), reason=reason)
    return changed
