"""The first thing a new user runs: a cross-border logistics CRM and its headline report.

Loads ``seeds/crossborder.json`` and the policies in ``seeds/policies`` as one seed
(idempotently; its definitions in one registry change), shows one traversal of the
brief's chain, then the product's headline: warehouse RTM-02 has a 6-day customs delay —
who is affected, ranked and explained — printed and written as a self-contained HTML
report, and told as an incident the risk team can work: the delay posted as an event by
a customs broker's integration, the incident opened and its report stored as version 1
(a demo run again posts the same event, which is recognised and not processed twice).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from graph_crm.auth.integrations import Integration
from graph_crm.impact.render import render
from graph_crm.impact.report import ImpactReport
from graph_crm.impact.report_inputs import MAX_LIMIT
from graph_crm.incidents.events import EventStatus
from graph_crm.resources import resource_dir
from graph_crm.services.crossborder import AS_OF
from graph_crm.services.events import (
    ProcessorSettings,
    new_worker_id,
    process_next,
    receive_event,
)
from graph_crm.services.impact_report import impact_report
from graph_crm.services.integrations import create_integration
from graph_crm.services.seed import SeedPlan, apply_seed, plan_policies, read_seed
from graph_crm.store.base import GraphStore

SEEDS: Final = resource_dir("seeds")
DEMO_SEED: Final = SEEDS / "crossborder.json"
POLICIES: Final = SEEDS / "policies"
#: The brief's headline: warehouse RTM-02 has a 6-day customs delay.
HEADLINE_POLICY: Final = "customs-delay"
HEADLINE_SOURCE: Final = "Warehouse:RTM-02"
HEADLINE_DELAY_DAYS: Final = 6
#: The integration that posts the headline's event, and the event (a customs broker's).
DEMO_INTEGRATION: Final = "demo customs broker"
HEADLINE_EVENT: Final = {
    "id": "rtm-02-customs-hold-2026-11-23",
    "type": "disruption",
    "source": {"type": "Warehouse", "key": "RTM-02"},
    "delayDays": HEADLINE_DELAY_DAYS,
    "startsAt": AS_OF.isoformat(),
    "note": "Customs hold at Rotterdam Maasvlakte 2: 6-day clearance delay",
}
#: Rows of the ranking the demo prints (the HTML report lists them all).
PRINTED_ROWS: Final = 10


def read_policies(directory: Path = POLICIES) -> list[Any]:
    """Every policy file in ``directory``, in name order."""
    return [
        json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))
    ]


async def load_policies(store: GraphStore, directory: Path = POLICIES) -> list[str]:
    """Define or update every policy file in ``directory``, in one registry change;
    returns those that changed."""
    plan = SeedPlan()
    plan_policies(plan, read_policies(directory), await store.registry())
    await store.apply_definitions(plan.operations, actor="demo")
    return plan.result.policies


async def run_demo(
    store: GraphStore, *, report_path: Path | None = Path("reports/rtm-02-customs-delay.html")
) -> ImpactReport:
    # the types and the policies in one registry change: all of them, or none
    seed = {**read_seed(DEMO_SEED), "impactPolicies": read_policies()}
    result = await apply_seed(store, seed, actor="demo")
    policies = result.policies
    counts = await store.counts()
    print(f"graph-crm demo on the {store.backend} store")
    if result.defined:
        print(f"Defined {len(result.defined)} types at runtime: {', '.join(result.defined)}")
    else:
        print("Types already defined; loading again changes nothing (upserts are idempotent).")
    if policies:
        print(f"Impact policies defined or updated: {', '.join(policies)}")
    entities = ", ".join(f"{n} {t}" for t, n in sorted(counts.entities.items()))
    print(f"{sum(counts.entities.values())} entities ({entities}); "
          f"{sum(counts.relations.values())} relations.")  # fmt: skip
    await _competitors(store)

    report = await impact_report(
        store,
        policy=HEADLINE_POLICY,
        source=HEADLINE_SOURCE,
        delay_days=HEADLINE_DELAY_DAYS,
        as_of=AS_OF,
        limit=MAX_LIMIT,
    )
    print()
    shown = replace(
        report,
        targets=report.targets[:PRINTED_ROWS],
        truncated=len(report.targets) > PRINTED_ROWS,
    )
    print(render(shown, "table"), end="")
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(render(report, "html"), encoding="utf-8")
        print(f"\nThe full report, to open in a browser or send on: {report_path.resolve()}")
    await _headline_incident(store)
    return report


async def _headline_incident(store: GraphStore) -> None:
    """The headline as the risk team works it: RTM-02's delay posted as an event by a
    customs broker's integration, stored, then processed once into an incident whose
    version 1 keeps the report (as of the data's moment). Run again, the same event is
    recognised and nothing is processed twice."""
    integration = await _demo_integration(store)
    event, new = await receive_event(store, integration, HEADLINE_EVENT)
    if event.status in (EventStatus.ACCEPTED, EventStatus.PROCESSING):
        worker = ProcessorSettings(owner=new_worker_id())
        while (done := await process_next(store, worker, as_of=AS_OF)) is not None:
            if done.key == event.key:
                break
        event = await store.stored_event(integration.id, event.event_id) or event
    incident = None if event.incident_id is None else await store.incident(event.incident_id)
    if incident is None:
        print(f"\nEvent {event.event_id}: {event.status.value} ({event.error or 'not processed'})")
        return
    if new:
        number = event.version or incident.version
        version = (await store.incident_versions(incident.id, since=number - 1))[0]
        totals = version.totals
        tiers = ", ".join(f"{tier} {count}" for tier, count in sorted(totals.by_tier.items()))
        # opened by this event, or (an RTM-02 incident reported before) a new version of it
        told = "opened" if number == 1 else f"updated ({version.reason.value})"
        print(
            f"\nEvent {event.event_id} posted by integration '{integration.name}': stored, "
            f"then processed once.\nIncident {incident.id} {told} for {HEADLINE_SOURCE}: "
            f"version {number} stores the report ({totals.affected} affected: {tiers}) and a "
            f"checklist of {len(incident.checklist)} actions."
        )
    else:
        print(
            f"\nEvent {event.event_id} was posted before and processed once: incident "
            f"{incident.id} is {incident.status.value.lower()} (version {incident.version})."
        )
    print(f"Work it: graph-crm incidents show {incident.id}   (or ack, resolve)")


async def _demo_integration(store: GraphStore) -> Integration:
    """The demo's customs broker integration (made by the first demo run)."""
    for integration in await store.integrations():
        if integration.name == DEMO_INTEGRATION and integration.active:
            return integration
    return await create_integration(store, DEMO_INTEGRATION, ["disruption"], actor="demo")


async def _competitors(store: GraphStore) -> None:
    """The brief's chain: customer -> subsidiary -> buyer -> chat log -> competitor."""
    found = await store.traverse(
        ["Customer:SH-ACME"],
        [
            {"relation": "HAS_SUBSIDIARY"},
            {"relation": "EMPLOYS"},
            {"relation": "WROTE", "where": {"at": {"gte": "2026-08-25T00:00:00Z"}}},
            {"relation": "MENTIONS"},
        ],
    )
    names = ", ".join(
        f"{entity.properties.get('name', entity.key)} ({len(found.paths[entity.id])} chat"
        f"{'s' if len(found.paths[entity.id]) > 1 else ''})"
        for entity in found.reached
    )
    print(
        "\nCompetitors mentioned since 2026-08-25 in chats of buyers at subsidiaries of "
        f"上海阿克米贸易有限公司 (4 typed hops): {names or 'none'}"
    )
