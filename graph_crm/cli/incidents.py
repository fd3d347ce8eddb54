"""``graph-crm incidents list|show|ack|resolve``: the risk team's incidents from a shell.

The same operations as GraphQL's ``incidents``, ``incident``, ``acknowledgeIncident``
and ``resolveIncident`` (:mod:`graph_crm.services.incidents`); the audit log records
``--actor`` as the author of a change.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from graph_crm.clock import utc_now
from graph_crm.errors import InvalidInput, NotFound
from graph_crm.incidents.incident import Incident, IncidentStatus, move_to
from graph_crm.incidents.records import incident_to_record, version_to_record
from graph_crm.incidents.version import IncidentVersion
from graph_crm.services.incidents import change_incident
from graph_crm.store.base import GraphStore

Command = Callable[[GraphStore, argparse.Namespace], Awaitable[int]]
Add = Callable[[str, Command, str], argparse.ArgumentParser]
#: Checklist items ``show`` lists that are still to do (all done ones are listed).
TODO_SHOWN = 10


def add_incident_commands(add: Add) -> None:
    incidents = add("incidents", _incidents, "list, show, acknowledge or resolve incidents")
    incidents.add_argument("action", choices=["list", "show", "ack", "resolve"])
    incidents.add_argument("id", nargs="?", help="show, ack, resolve: the incident's id")
    incidents.add_argument(
        "--status",
        action="append",
        choices=[status.value for status in IncidentStatus],
        help="list: only these statuses (repeat for several)",
    )
    incidents.add_argument("--source", help="list: only this source, e.g. Warehouse:RTM-02")
    incidents.add_argument("--first", type=int, default=50, help="list: at most this many")
    incidents.add_argument(
        "--revision", type=int, help="ack, resolve: refuse if the incident moved on from it"
    )
    incidents.add_argument("--json", action="store_true", help="machine-readable output")
    incidents.add_argument("--actor", default="cli", help="who the audit log records")


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _line(incident: Incident) -> str:
    owner = f"  owner {incident.owner}" if incident.owner else ""
    return (
        f"{incident.id}  {incident.status.value:<12} {incident.source}  "
        f"delay {incident.delay_days:g}d  v{incident.version}  opened {_when(incident.opened_at)}"
        f"{owner}"
    )


async def _incidents(store: GraphStore, args: argparse.Namespace) -> int:
    if args.action == "list":
        page = await store.incidents(status=args.status, source=args.source, first=args.first)
        if args.json:
            print(json.dumps([incident_to_record(i) for i in page.items], ensure_ascii=False))
            return 0
        for incident in page.items:
            print(_line(incident))
        more = page.total_count - len(page.items)
        print(f"{page.total_count} incident(s)" + (f", {more} not listed" if more else ""))
        return 0
    if not args.id:
        raise InvalidInput(f"graph-crm incidents {args.action} needs an incident id", path=("id",))
    if args.action == "show":
        return await _show(store, args)
    status = IncidentStatus.ACKNOWLEDGED if args.action == "ack" else IncidentStatus.RESOLVED
    changed = await change_incident(
        store,
        args.id,
        lambda i: move_to(i, status, actor=args.actor, at=utc_now()),
        actor=args.actor,
        reason=status.value.lower(),
        revision=args.revision,
    )
    if args.json:
        print(json.dumps(incident_to_record(changed), ensure_ascii=False))
    else:
        print(f"{changed.id} is {changed.status.value} (revision {changed.revision})")
    return 0


async def _show(store: GraphStore, args: argparse.Namespace) -> int:
    incident = await store.incident(args.id)
    if incident is None:
        raise NotFound(f"there is no incident {args.id!r}", path=("id",))
    versions = await store.incident_versions(incident.id, since=incident.version - 1)
    latest = versions[-1] if versions else None
    if args.json:
        shown: dict[str, Any] = {"incident": incident_to_record(incident)}
        if latest is not None:
            record = version_to_record(latest)
            record.pop("reports")  # the reports: GraphQL's incident(id) or graph-crm impact
            shown["version"] = record
        print(json.dumps(shown, ensure_ascii=False))
        return 0
    print("\n".join(_described(incident, latest)))
    return 0


def _described(incident: Incident, latest: IncidentVersion | None) -> list[str]:
    lines = [
        _line(incident),
        f"starts {_when(incident.starts_at)}; opened by {incident.opened_by}; revision "
        f"{incident.revision}",
    ]
    if incident.acknowledged_by:
        lines.append(
            f"acknowledged {_when(incident.acknowledged_at)} by {incident.acknowledged_by}"
        )
    if incident.resolved_by:
        lines.append(f"resolved {_when(incident.resolved_at)} by {incident.resolved_by}")
    if incident.note:
        lines.append(f"note: {incident.note}")
    if latest is not None:
        totals = latest.totals
        tiers = " · ".join(f"{tier} {count}" for tier, count in sorted(totals.by_tier.items()))
        lines.append(
            f"version {latest.number} ({latest.reason.value}, {_when(latest.created_at)}): "
            f"{totals.affected} affected, {totals.predicted_breaches} predicted breaches"
            + (f"; {tiers}" if tiers else "")
        )
        if latest.changes:
            lines.append(f"  after changes to: {', '.join(latest.changes)}")
        for policy in latest.diff.policies:
            lines.append(
                f"  {policy.policy}: {len(policy.entered)} entered, {len(policy.left)} left, "
                f"{len(policy.tier_changes)} tier changes, {policy.unchanged} unchanged"
            )
            lines += [f"    + {t.label} ({t.target}) {t.tier}" for t in policy.entered[:10]]
            lines += [f"    - {t.label} ({t.target}) was {t.tier}" for t in policy.left[:10]]
            lines += [
                f"    ~ {c.label} ({c.target}) {c.from_tier} -> {c.to_tier}: {c.reason}"
                for c in policy.tier_changes[:10]
            ]
    done = [item for item in incident.checklist if item.done]
    todo = [item for item in incident.checklist if not item.done]
    lines.append(f"checklist: {len(done)} of {len(incident.checklist)} done")
    lines += [f"  [x] {i.label} ({i.target}): {i.action} — {i.by}, {_when(i.at)}" for i in done]
    lines += [f"  [ ] {i.label} ({i.target}): {i.action}" for i in todo[:TODO_SHOWN]]
    if len(todo) > TODO_SHOWN:
        lines.append(f"  ... and {len(todo) - TODO_SHOWN} more to do")
    lines += [f"note {_when(n.at)} {n.author}: {n.text}" for n in incident.notes]
    return lines
