"""The first thing a new user runs: a cross-border logistics CRM and its headline report.

Loads ``seeds/crossborder.json`` and the policies in ``seeds/policies`` as one seed
(idempotently; its definitions in one registry change), shows one traversal of the
brief's chain, then the product's headline: warehouse RTM-02 has a 6-day customs delay —
who is affected, ranked and explained — printed and written as a self-contained HTML
report, and told as an incident the risk team can work: the disruption reported, the
incident opened and its report stored as version 1 (a demo run again finds it open).
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from graph_crm.impact.render import render
from graph_crm.impact.report import ImpactReport
from graph_crm.impact.report_inputs import MAX_LIMIT
from graph_crm.resources import resource_dir
from graph_crm.services.crossborder import AS_OF
from graph_crm.services.impact_report import impact_report
from graph_crm.services.incidents import report_disruption
from graph_crm.services.seed import SeedPlan, apply_seed, plan_policies, read_seed
from graph_crm.store.base import GraphStore

SEEDS: Final = resource_dir("seeds")
DEMO_SEED: Final = SEEDS / "crossborder.json"
POLICIES: Final = SEEDS / "policies"
#: The brief's headline: warehouse RTM-02 has a 6-day customs delay.
HEADLINE_POLICY: Final = "customs-delay"
HEADLINE_SOURCE: Final = "Warehouse:RTM-02"
HEADLINE_DELAY_DAYS: Final = 6
HEADLINE_NOTE: Final = "Customs hold at Rotterdam Maasvlakte 2: 6-day clearance delay"
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
    """The headline as the risk team works it: an incident for RTM-02, its report stored."""
    source_type, source_key = HEADLINE_SOURCE.split(":", 1)
    active = await store.active_incident(HEADLINE_SOURCE)
    if active is None:
        told = await report_disruption(
            store,
            source_type=source_type,
            source_key=source_key,
            delay_days=HEADLINE_DELAY_DAYS,
            starts_at=AS_OF.isoformat(),
            note=HEADLINE_NOTE,
            now=AS_OF,
            actor="demo",
        )
        incident, totals = told.incident, told.version.totals
        tiers = ", ".join(f"{tier} {count}" for tier, count in sorted(totals.by_tier.items()))
        print(
            f"\nIncident {incident.id} opened for {HEADLINE_SOURCE}: version 1 stores the "
            f"report ({totals.affected} affected: {tiers}) and a checklist of "
            f"{len(incident.checklist)} actions."
        )
    else:
        incident = active
        print(
            f"\nIncident {incident.id} for {HEADLINE_SOURCE} is {incident.status.value.lower()} "
            f"(version {incident.version}): the demo reports it once."
        )
    print(f"Work it: graph-crm incidents show {incident.id}   (or ack, resolve)")


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
