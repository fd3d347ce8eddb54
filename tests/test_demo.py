"""The demo a new user runs first, and the dataset it loads (seeds/crossborder.json)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from graph_crm.services.crossborder import AS_OF as CROSSBORDER_AS_OF
from graph_crm.services.crossborder import dumps, generate
from graph_crm.services.demo import DEMO_SEED, read_policies, run_demo
from graph_crm.services.incidents import report_disruption
from graph_crm.services.seed import apply_seed, read_seed
from graph_crm.store.embedded.store import EmbeddedStore
from tests.cli_process import run

AS_OF = "2026-11-23T09:00:00Z"
REPO = Path(__file__).resolve().parents[1]


def test_the_committed_dataset_is_what_the_generator_writes() -> None:
    assert dumps(generate()) == DEMO_SEED.read_text(encoding="utf-8")


def test_demo_reports_the_headline_and_writes_a_self_contained_html(tmp_path: Path) -> None:
    db, html = str(tmp_path / "demo.db"), tmp_path / "report.html"
    first = run("demo", "--db", db, "--report", str(html))
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "Defined 18 types at runtime" in out
    assert "Impact policies defined or updated: customs-delay" in out
    assert "Globex Freight (2 chats), Initech Logistics (1 chat)" in out
    assert "Impact of a 6-day delay at Warehouse RTM-02 (Rotterdam Maasvlakte 2)" in out
    affected = int(re.search(r"(\d+) affected", out).group(1))  # type: ignore[union-attr]
    assert 110 <= affected <= 160  # the brief's "about 130 customers"
    ranks = re.findall(r"^ +(\d+)  T\d ", out, flags=re.MULTILINE)
    assert ranks == [str(rank) for rank in range(1, 11)]
    page = html.read_text(encoding="utf-8")
    assert page.count("<tr><td class=num>") == affected  # every affected customer listed
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)
    assert "url(" not in page
    assert "<script" not in page
    assert "@import" not in page
    assert "上海阿克米贸易有限公司" in page
    assert page.count("<svg") == 2

    # the headline told as an incident: opened, its report stored as version 1
    assert (
        "Event rtm-02-customs-hold-2026-11-23 posted by integration 'demo customs broker': "
        "stored, then processed once." in out
    )
    opened = re.search(
        r"^Incident (inc-[0-9a-f]{16}) opened for Warehouse:RTM-02: version 1 stores the "
        r"report \((\d+) affected: T1 (\d+), T2 (\d+), T3 (\d+)\) and a checklist of "
        r"(\d+) actions\.$",
        out,
        flags=re.MULTILINE,
    )
    assert opened, out
    incident = opened.group(1)
    assert int(opened.group(2)) == affected
    assert sum(int(opened.group(n)) for n in (3, 4, 5)) == affected
    assert int(opened.group(6)) >= affected  # every customer has at least one action
    # the README's and docs/demo.md's copies of those lines are what it prints, id aside
    told = [line for line in out.splitlines() if incident in line or "customs broker" in line]
    assert len(told) == 3
    for doc in (REPO / "README.md", REPO / "docs" / "demo.md"):
        copy = re.sub(r"inc-[0-9a-f]{16}", incident, doc.read_text(encoding="utf-8"))
        assert all(line in copy.splitlines() for line in told), doc
    shown = run("incidents", "show", incident, "--json", "--db", db)
    assert shown.returncode == 0, shown.stderr
    stored = json.loads(shown.stdout)
    assert stored["incident"]["status"] == "OPEN"
    assert stored["incident"]["source"] == "Warehouse:RTM-02"
    assert stored["version"]["number"] == 1

    again = run("demo", "--db", db, "--report", str(tmp_path / "again.html"))
    assert "changes nothing" in again.stdout
    assert "Impact policies" not in again.stdout
    # run again, the demo posts the same event: recognised, not processed twice
    assert (
        "Event rtm-02-customs-hold-2026-11-23 was posted before and processed once: "
        f"incident {incident} is open (version 1)." in again.stdout
    )
    listed = run("incidents", "list", "--json", "--db", db)
    assert [i["id"] for i in json.loads(listed.stdout)] == [incident]
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == page

    # the same report from the CLI, and after an export/import (policies travel along)
    args = ["--source", "Warehouse:RTM-02", "--delay", "6", "--as-of", AS_OF, "--format", "csv"]
    report = run("impact", *args, "--db", db)
    assert report.returncode == 0, report.stderr
    rows = list(csv.DictReader(io.StringIO(report.stdout)))
    assert len(rows) == affected
    assert rows[0]["rank"] == "1"
    export = tmp_path / "graph.jsonl"
    assert run("export", str(export), "--db", db, "--quiet").returncode == 0
    copy = str(tmp_path / "copy.db")
    assert run("import", str(export), "--db", copy, "--quiet").returncode == 0
    assert run("impact", *args, "--db", copy).stdout == report.stdout


def test_impact_command_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    assert run("demo", "--db", db, "--report", "").returncode == 0
    for args, message in [
        (["--source", "Warehouse:NOPE", "--delay", "6"], "NOT_FOUND"),
        (["--source", "Warehouse:RTM-02", "--delay", "-6"], "delayDays must lie between"),
        (["--source", "Warehouse:RTM-02", "--delay", "six"], "delayDays is a number"),
        (["--source", "Warehouse:RTM-02", "--delay", "6", "--as-of", "23.11.2026"], "asOf"),
        (["--source", "Warehouse:RTM-02", "--delay", "6", "--policy", "nope"], "no impact policy"),
    ]:
        result = run("impact", *args, "--db", db)
        assert result.returncode == 2, (args, result.stdout)
        assert message in result.stderr
        assert "Traceback" not in result.stderr
    listed = run("policy", "list", "--db", db)
    assert listed.stdout.startswith("customs-delay (rev 1): Warehouse -> Customer")
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "bad", "source": "Depot"}', encoding="utf-8")
    refused = run("policy", "define", str(bad), "--db", db)
    assert refused.returncode == 2
    assert "INVALID_INPUT" in refused.stderr


async def test_an_rtm02_incident_reported_before_the_demo_gets_the_events_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Someone reported RTM-02 before the demo's event came: the event updates that
    incident, and the demo says so with the version it stored (not "opened", not 1)."""
    store = await EmbeddedStore.open(tmp_path / "demo.db")
    try:
        seed = {**read_seed(DEMO_SEED), "impactPolicies": read_policies()}
        await apply_seed(store, seed, actor="test")
        earlier = await report_disruption(
            store, source_type="Warehouse", source_key="RTM-02", delay_days=6,
            starts_at=None, note="by hand", now=CROSSBORDER_AS_OF, actor="test",
        )  # fmt: skip
        capsys.readouterr()
        await run_demo(store, report_path=None)
        out = capsys.readouterr().out
    finally:
        await store.close()
    assert (
        f"Incident {earlier.incident.id} updated (reported again) for Warehouse:RTM-02: "
        "version 2 stores the report (138 affected: T1 53, T2 20, T3 65)"
    ) in out, out
