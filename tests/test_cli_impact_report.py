"""`graph-crm impact` and `graph-crm policy` on the demo: what the report states first (its
as-of time, the policy's revision), its currency, and the defaults it shares with GraphQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from graph_crm.services.demo import POLICIES
from tests.cli_process import run
from tests.demo_db import demo_database

SOURCE = ("--source", "Warehouse:RTM-02")
AS_OF = ("--as-of", "2026-11-23T09:00:00Z")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_database(tmp_path_factory, "impact-report")


def test_the_header_states_the_instant_and_the_policy_revision(demo_db: str) -> None:
    done = run("impact", *SOURCE, "--delay", "6", *AS_OF, "--db", demo_db)
    assert done.returncode == 0, done.stderr
    headline, as_of, policy, totals, t1, t2, t3 = done.stdout.splitlines()[:7]
    assert headline == "Impact of a 6-day delay at Warehouse RTM-02 (Rotterdam Maasvlakte 2)"
    assert as_of == "As of 2026-11-23 09:00 UTC"
    assert policy.startswith("Policy customs-delay rev 1 · A customs hold")
    assert totals == "138 affected · 53 predicted SLA breaches · CNY 16.33M exposure at risk"
    assert t1 == "T1 Breach predicted: 53 — the delay meets or exceeds the SLA buffer"
    assert t2.startswith("T2 Breach within 3 days of slack: 20 — the delay comes within 3 days")
    assert t3 == "T3 No breach predicted: 65 — in every other case"
    assert "v19" not in done.stdout
    # without --as-of: now, and the header says so
    now = run("impact", *SOURCE, "--delay", "6", "--db", demo_db)
    assert now.returncode == 0, now.stderr
    line = now.stdout.splitlines()[1]
    assert line.startswith("As of 20")
    assert line.endswith(" UTC (now: no as-of time was given)")


def test_amounts_carry_the_demo_policys_currency(demo_db: str) -> None:
    args = ("impact", *SOURCE, "--delay", "6", *AS_OF, "--db", demo_db, "--format")
    rows = list(csv.DictReader(io.StringIO(run(*args, "csv").stdout)))
    assert {row["currency"] for row in rows} == {"CNY"}
    assert {row["asOf"] for row in rows} == {"2026-11-23T09:00:00Z"}
    data = json.loads(run(*args, "json").stdout)
    assert (data["currency"], data["policyRevision"]) == ("CNY", 1)
    assert data["targets"][0]["explanation"].count("CNY ") == 1
    markdown = run(*args, "md").stdout
    assert "- **CNY 16.33M** exposure at risk" in markdown


def test_no_delay_means_0_days(demo_db: str) -> None:
    done = run("impact", *SOURCE, *AS_OF, "--db", demo_db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(
        "Who a disruption at Warehouse RTM-02 (Rotterdam Maasvlakte 2) reaches (no delay given)\n"
    )
    assert "138 affected" in done.stdout


def test_revisions_and_the_choice_of_policy(demo_db: str, tmp_path: Path) -> None:
    policy = json.loads((POLICIES / "customs-delay.json").read_text(encoding="utf-8"))
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps({**policy, "description": "Held at customs"}), "utf-8")
    altered = run("policy", "alter", str(changed), "--db", demo_db)
    assert altered.returncode == 0, altered.stderr
    assert "altered impact policy 'customs-delay': rev 2 (registry version" in altered.stdout
    again = run("policy", "alter", str(changed), "--db", demo_db)  # the same: still rev 2
    assert "'customs-delay': rev 2 " in again.stdout
    assert run("policy", "list", "--db", demo_db).stdout.startswith("customs-delay (rev 2): ")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({**policy, "name": "other"}), "utf-8")
    assert run("policy", "define", str(other), "--db", demo_db).returncode == 0
    try:
        refused = run("impact", *SOURCE, "--delay", "6", *AS_OF, "--db", demo_db)
        assert refused.returncode == 2
        assert "Traceback" not in refused.stderr
        # the words GraphQL uses too: both come from graph_crm/services/impact_report.py
        assert (
            "2 impact policies are stored (customs-delay, other): name the one to use"
            in refused.stderr
        )
        assert "(at policy)" in refused.stderr
        chosen = run("impact", *SOURCE, "--policy", "other", *AS_OF, "--db", demo_db)
        assert chosen.returncode == 0, chosen.stderr
        assert "\nPolicy other rev 1 · " in chosen.stdout
    finally:
        assert run("policy", "drop", "other", "--db", demo_db).returncode == 0
