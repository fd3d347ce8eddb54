"""Both backends give identical reports: the same policies, sources and delays on each.

Policies cover a roll-up with a linked SLA, a plain two-hop reach with the SLA on the
path, a five-hop chain through a second warehouse (several paths to one top) and one
without any SLA or complaints signal.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.services.crossborder import AS_OF as CROSSBORDER_AS_OF
from graph_crm.services.demo import DEMO_SEED, load_policies
from graph_crm.services.impact_report import impact_report
from graph_crm.services.seed import apply_seed, read_seed
from graph_crm.store.base import GraphStore
from tests.contract.logistics import AS_OF, customs_policy, load_logistics


def _policies() -> list[dict[str, Any]]:
    rolled = customs_policy()
    on_path = customs_policy(name="promised-dates", rollup=None)
    on_path["steps"][0]["where"] = {"status": {"in": ["IN_TRANSIT", "BOOKED"]}}
    on_path["signals"]["sla"] = {"step": 1, "property": "promisedBy"}
    congestion = customs_policy(
        name="congestion",
        steps=[
            {"relation": "ROUTED_VIA", "direction": "IN"},
            {"relation": "ROUTED_VIA", "direction": "OUT"},
            {"relation": "ROUTED_VIA", "direction": "IN", "where": {"status": {"ne": "DELIVERED"}}},
            {"relation": "SHIPPED_FOR", "direction": "OUT"},
            {"relation": "PARENT_OF", "direction": "IN"},
        ],
    )
    congestion["signals"]["sla"] = {"step": 3, "property": "promisedBy"}
    bare = customs_policy(
        name="exposure-only", signals={"exposure": {"step": 1, "property": "value"}}
    )
    bare["scoring"]["weights"] = {"urgency": 0.0, "exposure": 1.0, "complaints": 0.0}
    return [rolled, on_path, congestion, bare]


@pytest.mark.neo4j
async def test_identical_reports(embedded_store: GraphStore, neo4j_store: GraphStore) -> None:
    stores = (embedded_store, neo4j_store)
    for store in stores:
        await load_logistics(store)
        for policy in _policies():
            await store.define_impact_policy(policy)
    compared = 0
    for policy in _policies():
        for source in ("Warehouse:W1", "Warehouse:W2", "Warehouse:W3"):
            for delay in (0, 2.5, 30):
                embedded, neo4j = [
                    await impact_report(
                        store, policy=policy["name"], source=source, delay_days=delay, as_of=AS_OF
                    )
                    for store in stores
                ]
                assert embedded == neo4j, (policy["name"], source, delay)
                compared += len(embedded.targets)
    assert compared > 30  # the reports are not empty


@pytest.mark.neo4j
async def test_identical_reports_on_the_demo_dataset(
    embedded_store: GraphStore, neo4j_store: GraphStore
) -> None:
    """The seed a new user loads: ~6k entities, rolled-up customers, many paths per top."""
    stores = (embedded_store, neo4j_store)
    for store in stores:
        await apply_seed(store, read_seed(DEMO_SEED), actor="test")
        assert await load_policies(store) == ["customs-delay"]
    for source in ("Warehouse:RTM-02", "Warehouse:HAM-01", "Warehouse:SIN-01"):
        for delay in (2, 6):
            embedded, neo4j = [
                await impact_report(
                    store,
                    policy="customs-delay",
                    source=source,
                    delay_days=delay,
                    as_of=CROSSBORDER_AS_OF,
                    limit=10_000,
                )
                for store in stores
            ]
            assert embedded == neo4j, (source, delay)
            assert embedded.totals.affected > 30
