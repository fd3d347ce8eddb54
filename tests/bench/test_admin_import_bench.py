"""bench/admin_import.py's command as docs/benchmarks.md gives it parses, and a tiny run
loads the same accounts online and through neo4j-admin (it starts and stops a Neo4j of
its own, ~25 s: marked ``big``, run by `scripts/test --all` beside the browser tests).
Behaviour only, never time."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from bench import admin_import
from tests.docs.blocks import doc_block

_OPTIONS = {"--rows", "--neo4j-heap", "--neo4j-pagecache", "--out"}


def test_the_documented_command_parses() -> None:
    for line in doc_block("bench-admin-import").text.splitlines():
        command = shlex.split(line, comments=True)
        assert command[:3] == ["python", "-m", "bench.admin_import"]
        assert all(not arg.startswith("--") or arg.split("=")[0] in _OPTIONS for arg in command)


@pytest.mark.big
@pytest.mark.neo4j
def test_a_tiny_run_loads_the_accounts_both_ways(tmp_path: Path) -> None:
    out = tmp_path / "admin_import.json"
    assert admin_import.main(["--rows", "300", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["rows"] == 300
    assert result["online_rate"] > 0
    assert result["bulk_rate"] > 0
