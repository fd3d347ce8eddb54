"""`graph-crm incidents list|show|ack|resolve` as the risk team runs it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from graph_crm.incidents.incident import check_action
from graph_crm.services.events import ProcessorSettings, process_next
from graph_crm.services.incidents import change_incident, report_disruption
from graph_crm.store.embedded.store import EmbeddedStore
from tests.cli_process import run
from tests.contract.logistics import AS_OF, customs_policy, load_logistics


async def _db_with_incident(directory: Path) -> tuple[str, str]:
    """A store holding the logistics graph and an incident on W1 (3 days, then 6)."""
    db = str(directory / "incidents.db")
    store = await EmbeddedStore.open(db)
    try:
        await load_logistics(store)
        await store.define_impact_policy(customs_policy())
        arguments: dict[str, Any] = {
            "source_type": "Warehouse",
            "source_key": "W1",
            "starts_at": None,
        }
        made = await report_disruption(
            store, **arguments, delay_days=3, note="customs hold", now=AS_OF, actor="risk"
        )
        await change_incident(
            store,
            made.incident.id,
            lambda i: check_action(
                i, "Customer:G", "Call the account manager today", done=True, actor="ana", at=AS_OF
            ),
            actor="ana",
            reason="action checked",
        )
        await report_disruption(store, **arguments, delay_days=6, now=AS_OF, actor="risk")
        return db, made.incident.id
    finally:
        await store.close()


async def test_list_show_ack_resolve(tmp_path: Path) -> None:
    db, incident_id = await _db_with_incident(tmp_path)
    listed = run("incidents", "list", "--db", db)
    assert listed.returncode == 0, listed.stderr
    assert incident_id in listed.stdout
    assert "OPEN" in listed.stdout
    assert "1 incident(s)" in listed.stdout
    shown = run("incidents", "show", incident_id, "--db", db)
    assert shown.returncode == 0, shown.stderr
    assert "version 2 (delay updated" in shown.stdout
    assert "CA Ltd (Customer:CA) T2 -> T1" in shown.stdout
    assert "checklist: 1 of" in shown.stdout
    assert "[x] G Ltd (Customer:G): Call the account manager today — ana" in shown.stdout
    acked = run("incidents", "ack", incident_id, "--revision", "3", "--actor", "bo", "--db", db)
    assert acked.returncode == 0, acked.stderr
    assert acked.stdout.strip() == f"{incident_id} is ACKNOWLEDGED (revision 4)"
    resolved = json.loads(run("incidents", "resolve", incident_id, "--json", "--db", db).stdout)
    assert (resolved["status"], resolved["resolvedBy"], resolved["acknowledgedBy"]) == (
        "RESOLVED",
        "cli",
        "bo",
    )
    as_json = json.loads(run("incidents", "show", incident_id, "--json", "--db", db).stdout)
    assert as_json["version"]["number"] == 2
    assert "reports" not in as_json["version"]
    open_only = run("incidents", "list", "--status", "OPEN", "--json", "--db", db)
    assert json.loads(open_only.stdout) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("incidents", "ack"), "needs an incident id"),
        (("incidents", "ack", "x'; DROP TABLE incidents; --"), "INVALID_INPUT"),
        (("incidents", "show", "inc-0000000000000000"), "NOT_FOUND"),
        (("incidents", "resolve", "{id}", "--revision", "9"), "STALE_REVISION"),
        (("incidents", "list", "--status", "CLOSED"), "invalid choice"),
        (("incidents", "list", "--source", "no-colon"), "INVALID_INPUT"),
        (("incidents", "list", "--first", "0"), "INVALID_INPUT"),
    ],
)
async def test_clear_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    db, incident_id = await _db_with_incident(tmp_path)
    done = run(*(arg.replace("{id}", incident_id) for arg in args), "--db", db)
    assert done.returncode == 2
    assert message in done.stderr


async def test_a_resolved_incident_cannot_be_acknowledged(tmp_path: Path) -> None:
    db, incident_id = await _db_with_incident(tmp_path)
    assert run("incidents", "resolve", incident_id, "--db", db).returncode == 0
    refused = run("incidents", "ack", incident_id, "--db", db)
    assert refused.returncode == 2
    assert "INVALID_TRANSITION" in refused.stderr
    assert "RESOLVED cannot become ACKNOWLEDGED" in refused.stderr


async def test_show_names_what_a_reevaluation_followed(tmp_path: Path) -> None:
    db, incident_id = await _db_with_incident(tmp_path)
    store = await EmbeddedStore.open(db)
    try:
        # G's contract deadlines move well past the 6-day delay: its tier changes
        await store.upsert_entities(
            "Contract",
            [{"key": k, "slaDeadline": "2026-03-30T00:00:00Z"} for k in ("KG1", "KG2")],
        )
        done = await process_next(store, ProcessorSettings(owner="tests"), as_of=AS_OF)
        assert done is not None
        assert done.version == 3
    finally:
        await store.close()
    shown = run("incidents", "show", incident_id, "--db", db)
    assert shown.returncode == 0, shown.stderr
    assert "version 3 (re-evaluated" in shown.stdout
    assert "after changes to: Contract.slaDeadline" in shown.stdout
    as_json = json.loads(run("incidents", "show", incident_id, "--json", "--db", db).stdout)
    assert as_json["version"]["changes"] == ["Contract.slaDeadline"]
