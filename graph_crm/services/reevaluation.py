"""An open incident evaluated again because the data its report reads changed.

The store queues the ask after a write (:mod:`graph_crm.store.write_watch`); a worker
claims it like any event (:func:`graph_crm.services.events.process_next`) and calls
:func:`reevaluate`: every policy of the incident's source is evaluated with its current
delay, and a new version ("re-evaluated", naming what changed) is stored only if a report
changed: a customer entered or left, a tier, a rank or a total moved. Otherwise the event
is marked processed and nothing is stored; so it is for a resolved incident.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from graph_crm.errors import Conflict, StaleRevision
from graph_crm.impact.report import ImpactReport
from graph_crm.incidents.incident import with_version
from graph_crm.incidents.version import IncidentVersion, VersionReason, next_version
from graph_crm.services.incidents import ATTEMPTS, evaluate
from graph_crm.store.base import GraphStore
from graph_crm.store.events import EventLease

#: Who the audit log says stored a re-evaluated version.
ACTOR: Final = "re-evaluation"


def _shape(reports: Sequence[ImpactReport]) -> list[object]:
    return [
        (report.policy, report.totals, [(t.target, t.rank, t.tier) for t in report.targets])
        for report in reports
    ]


def changed(before: IncidentVersion, after: IncidentVersion) -> bool:
    """Whether ``after``'s reports differ from ``before``'s in who is affected, their
    tiers and ranks, or the totals."""
    return not after.diff.empty or _shape(before.reports) != _shape(after.reports)


async def reevaluate(
    store: GraphStore,
    incident_id: str,
    changes: Sequence[str],
    *,
    now: datetime,
    lease: EventLease,
) -> IncidentVersion | None:
    """Evaluate ``incident_id`` again as of ``now`` (``changes``: what the writes changed);
    the version stored, or None if none was (resolved, or no report changed). The version
    and the event's completion are one transaction (LeaseLost if the lease is gone)."""
    for _ in range(ATTEMPTS):
        incident = await store.incident(incident_id)
        if incident is None or not incident.active:
            await store.complete_event(
                lease, incident_id, 0 if incident is None else incident.version
            )
            return None
        previous = (await store.incident_versions(incident.id, since=incident.version - 1))[-1]
        reports = await evaluate(store, incident.source, incident.delay_days, now)
        version = next_version(
            previous,
            reports,
            reason=VersionReason.REEVALUATED,
            delay_days=incident.delay_days,
            at=now,
            changes=changes,
        )
        if not changed(previous, version):
            await store.complete_event(lease, incident.id, incident.version)
            return None
        try:
            await store.update_incident(
                with_version(incident, version, note=None),
                version=version,
                actor=ACTOR,
                reason=VersionReason.REEVALUATED.value,
                event=lease,
            )
        except (Conflict, StaleRevision):
            continue  # the incident changed meanwhile: evaluate on top of it
        return version
    raise Conflict(
        f"incident {incident_id!r} changed {ATTEMPTS} times while it was re-evaluated",
        path=("incidentId",),
    )
