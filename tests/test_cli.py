"""The command line as a user runs it: demo, types, export, import, errors."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph_crm.cli.main import main
from graph_crm.settings import Settings
from graph_crm.store.embedded.store import EmbeddedStore
from tests.cli_process import run


def test_seed_export_import_round_trip(tmp_path: Path) -> None:
    db = str(tmp_path / "small.db")
    first = run("seed", "seeds/demo.json", "--db", db)
    assert first.returncode == 0, first.stderr
    assert len(json.loads(first.stdout)["defined"]) == 15
    again = run("seed", "seeds/demo.json", "--db", db)
    assert json.loads(again.stdout)["defined"] == []

    export = tmp_path / "graph.jsonl"
    assert run("export", str(export), "--db", db, "--quiet").returncode == 0
    copy = str(tmp_path / "copy.db")
    imported = run("import", str(export), "--db", copy, "--quiet")
    assert imported.returncode == 0, imported.stderr
    assert "imported 21 entities and 21 relations" in imported.stderr
    assert run("types", "--db", copy).stdout == run("types", "--db", db).stdout
    traversal = run(
        "traverse",
        "Warehouse:RTM-02",
        "--step",
        "SHIPPED_VIA:IN",
        "--step",
        "FOR_CUSTOMER",
        "--db",
        copy,
    )
    reached = [json.loads(line)["id"] for line in traversal.stdout.splitlines()]
    assert reached == ["Customer:DE-BRAUN", "Customer:SH-ACME", "Customer:SZ-HUAXIN"]


def test_errors_are_clear_and_exit_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "e.db")
    seed = tmp_path / "bad.json"
    seed.write_text(json.dumps({"entityTypes": [{"name": "Bad`Name"}]}), encoding="utf-8")
    assert main(["seed", str(seed), "--db", db]) == 2
    assert "INVALID_NAME" in capsys.readouterr().err
    assert main(["traverse", "Customer:X", "--step", "NOPE", "--db", db]) == 2
    assert "UNKNOWN_TYPE" in capsys.readouterr().err
    unreachable = main(["types", "--backend", "neo4j", "--neo4j-uri", "bolt://127.0.0.1:9"])
    assert unreachable == 3
    assert "UNAVAILABLE" in capsys.readouterr().err


def test_a_seed_with_a_misspelled_relation_target_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "s.db")
    seed = tmp_path / "typo.json"
    types = [{"name": "Warehouse"}, {"name": "Shipment"}]
    relations = [{"name": "STORED_AT", "from": "Shipment", "to": "Warehous"}]
    seed.write_text(json.dumps({"entityTypes": types, "relationTypes": relations}))
    assert main(["seed", str(seed), "--db", db]) == 2
    error = capsys.readouterr().err
    assert "UNKNOWN_TYPE" in error
    assert "(at relationTypes/0/to)" in error
    assert main(["types", "--db", db]) == 0
    assert capsys.readouterr().out == "registry version 0\n"  # Warehouse stayed, before


def test_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "GRAPH_CRM_BACKEND": "neo4j",
            "GRAPH_CRM_NEO4J_URI": "bolt://h:7687",
            "GRAPH_CRM_NEO4J_PASSWORD": "s3cret",
        },
        neo4j_database="crm",
    )
    assert (settings.backend, settings.neo4j_uri, settings.neo4j_database) == (
        "neo4j",
        "bolt://h:7687",
        "crm",
    )
    assert "s3cret" not in repr(settings)
    with pytest.raises(ValueError, match="backend"):
        Settings.from_env({"GRAPH_CRM_BACKEND": "mongodb"})


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """Like `graph-crm demo | head -1` once head has gone: every write meets EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        finished = subprocess.run(
            [sys.executable, "-m", "graph_crm.cli", "demo", "--db", str(tmp_path / "p.db")],
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=120,
            check=False,
            # stderr must hold nothing about the pipe: a slow-statement log on a loaded
            # machine (GRAPH_CRM_SLOW_STATEMENT_MS, 500 ms by default) is another matter
            env={**os.environ, "GRAPH_CRM_SLOW_STATEMENT_MS": "600000"},
        )
    finally:
        os.close(write_end)
    assert finished.stderr == b""
    assert finished.returncode == 0


def test_seed_import_and_keys_record_their_actor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, copy = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    export = str(tmp_path / "graph.jsonl")
    assert main(["seed", "seeds/demo.json", "--db", db, "--actor", "ops@seed"]) == 0
    assert main(["export", export, "--db", db, "--quiet"]) == 0
    assert main(["import", export, "--db", copy, "--quiet", "--actor", "ops@import"]) == 0
    assert main(["keys", "create", "--role", "analyst", "--db", copy, "--actor", "ops@k"]) == 0
    capsys.readouterr()
    assert main(["keys", "list", "--json", "--db", copy]) == 0
    [key] = json.loads(capsys.readouterr().out)
    assert main(["keys", "revoke", key["id"], "--db", copy, "--actor", "ops@revoke"]) == 0

    async def actors(path: str) -> list[tuple[str, str]]:
        store = await EmbeddedStore.open(path)
        try:
            page = await store.audit_log(first=1_000)
        finally:
            await store.close()
        return sorted({(r.actor, r.action.value) for r in page.items})

    assert asyncio.run(actors(db)) == [
        ("ops@seed", "define"),
        ("ops@seed", "link"),
        ("ops@seed", "upsert"),
    ]
    assert asyncio.run(actors(copy)) == [
        ("ops@import", "import"),
        ("ops@k", "key.create"),
        ("ops@revoke", "key.revoke"),
    ]
