"""The demo's headline report as the README's "Impact reports" section makes it: the demo
data loaded by `graph-crm demo`, then `graph-crm impact ... --format html -o FILE`."""

from __future__ import annotations

from pathlib import Path

from tests.cli_process import run

AS_OF = "2026-11-23T09:00:00Z"
SOURCE = "Warehouse:RTM-02"


def write_demo_report(directory: Path) -> Path:
    """Loads the demo into ``directory`` and writes its HTML report there."""
    db, html = str(directory / "demo.db"), directory / "rtm-02.html"
    loaded = run("demo", "--db", db, "--report", "")
    assert loaded.returncode == 0, loaded.stderr
    args = ["--source", SOURCE, "--delay", "6", "--as-of", AS_OF, "--format", "html"]
    report = run("impact", *args, "-o", str(html), "--db", db)
    assert report.returncode == 0, report.stderr
    return html
