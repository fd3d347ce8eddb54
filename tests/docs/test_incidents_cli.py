"""docs/incidents.md's command block runs as written on the demo data, with an incident
reported on RTM-02 (the page's id replaced by the one the store gave it)."""

from __future__ import annotations

import json
from pathlib import Path

from graph_crm.services.crossborder import AS_OF
from graph_crm.services.incidents import report_disruption
from graph_crm.store.embedded.store import EmbeddedStore
from tests.docs.answers import load_demo
from tests.docs.blocks import doc_block
from tests.docs.shell import checkout_copy, run_block, user_environment

DOC_ID = "inc-5f0c2a9e1b7d4c38"


async def test_the_incident_commands_list_show_ack_and_resolve(tmp_path: Path) -> None:
    checkout = checkout_copy(tmp_path)
    store = await EmbeddedStore.open(checkout / "data" / "graph-crm.db")
    try:
        await load_demo(store)
        made = await report_disruption(
            store,
            source_type="Warehouse",
            source_key="RTM-02",
            delay_days=6,
            starts_at=None,
            note="customs hold",
            now=AS_OF,
            actor="risk@example.com",
        )
    finally:
        await store.close()
    incident_id = made.incident.id
    listed, shown, acked, resolved = run_block(
        doc_block("incidents-cli"), checkout, user_environment(), {DOC_ID: incident_id}
    )
    assert incident_id in listed.stdout
    assert "Warehouse:RTM-02" in listed.stdout
    assert "version 1 (opened" in shown.stdout
    assert "138 affected, 53 predicted breaches" in shown.stdout
    assert acked.stdout.strip() == f"{incident_id} is ACKNOWLEDGED (revision 2)"
    closed = json.loads(resolved.stdout)
    assert (closed["status"], closed["resolvedBy"]) == ("RESOLVED", "ana@example.com")
