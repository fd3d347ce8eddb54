"""The report header the README's "Impact reports" section shows is the demo's, as printed
by its first command (the as-of time, the policy's revision, amounts in CNY, rules in words)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.cli_process import run

README = Path(__file__).resolve().parents[1] / "README.md"


def _section() -> str:
    return README.read_text(encoding="utf-8").split("## Impact reports", 1)[1].split("\n## ", 1)[0]


def test_the_readme_report_header_is_what_the_command_prints(tmp_path: Path) -> None:
    commands, header = re.findall(r"```(?:bash)?\n(.*?)```", _section(), flags=re.DOTALL)[:2]
    first = shlex.split(commands.splitlines()[0])
    assert first[:2] == ["graph-crm", "impact"]
    assert "--as-of" in first  # the README's examples name their instant
    db = str(tmp_path / "demo.db")
    assert run("demo", "--db", db, "--report", "").returncode == 0
    printed = run(*first[1:], "--db", db)
    assert printed.returncode == 0, printed.stderr
    lines = header.strip("\n").splitlines()
    assert lines[1] == "As of 2026-11-23 09:00 UTC"
    assert printed.stdout.splitlines()[: len(lines)] == lines
