"""bench/schema_churn.py's commands as docs/benchmarks.md gives them parse, and a tiny run
measures what it says. Behaviour only, never time."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from bench import schema_churn
from tests.docs.blocks import doc_block

_OPTIONS = {"--types", "--relations", "--out"}


def test_the_documented_commands_parse() -> None:
    for line in doc_block("bench-schema-churn").text.splitlines():
        command = shlex.split(line, comments=True)
        assert command[:3] == ["python", "-m", "bench.schema_churn"]
        assert all(not arg.startswith("--") or arg.split("=")[0] in _OPTIONS for arg in command)


def test_a_tiny_run_counts_the_schemas_left_alive(tmp_path: Path) -> None:
    out = tmp_path / "schema_churn.json"
    schema_churn.main(["--types", "4", "--relations", "2", "--out", str(out)])
    result = json.loads(out.read_text())
    assert result["changes"] == 6
    assert result["schema_builds"] == 7
    # the core's schema and the newest version's: the older five are gone
    assert result["live_schemas"] <= result["live_schemas_at_start"]
    assert result["tracked_objects"] >= result["tracked_objects_after_collect"] > 0
    assert result["rss_mib"] > 0
