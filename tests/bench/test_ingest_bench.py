"""bench/ingest.py's commands as docs/benchmarks.md gives them parse, and a tiny embedded
run writes the same rows through graph-crm and the SQLite floor and reports ratios.
Behaviour only, never time."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from bench import ingest
from tests.docs.blocks import doc_block


def test_the_documented_commands_parse() -> None:
    for line in doc_block("bench-ingest").text.splitlines():
        command = shlex.split(line, comments=True)
        assert command[:3] == ["python", "-m", "bench.ingest"]
        parser_args = command[3:]
        assert all(not arg.startswith("--") or arg.split("=")[0] in _OPTIONS for arg in parser_args)


_OPTIONS = {"--entities", "--relations", "--batch", "--rounds", "--csv-rows", "--backend",
            "--neo4j-uri", "--out"}  # fmt: skip


def test_a_tiny_embedded_run_compares_both_sides_and_imports_a_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ingest.json"
    argv = ["--backend", "embedded", "--entities", "300", "--relations", "600", "--batch", "100"]
    assert ingest.main([*argv, "--rounds", "2", "--csv-rows", "200", "--out", str(out)]) == 0
    results = json.loads(out.read_text())["results"]["embedded"]
    assert len(results["rounds"]) == 2
    assert results["upsert"]["ratio"] > 0
    assert results["link"]["ratio"] > 0
    assert "floor" not in results["reupsert"]  # a bare INSERT cannot run twice
    assert results["csv"]["rows"] == 200
    assert results["csv"]["peak_mib"] > 0
    # per CPU second of the process, both sides where the floor has the phase
    assert results["upsert"]["cpu"]["graph-crm"] > 0
    assert results["upsert"]["cpu"]["floor"] > 0
    assert results["link"]["cpu"]["ratio"] > 0
    assert list(results["reupsert"]["cpu"]) == ["graph-crm"]
    printed = capsys.readouterr().out
    assert "| embedded upsert, rows/s |" in printed
    assert "| upsert, rows per CPU-s |" in printed


def test_rows_and_links_are_deterministic_and_links_unique() -> None:
    rows, links = ingest.make_rows(1000, 2000)
    assert (rows, links) == ingest.make_rows(1000, 2000)
    assert len({(link["from"], link["to"]) for link in links}) == len(links) > 1500
