"""`graph-crm impact` refuses what it cannot do with a clear error, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_process import run

REPORT = ("impact", "--source", "Warehouse:RTM-02", "--delay", "6", "--as-of", "2026-11-23")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = str(tmp_path_factory.mktemp("impact-cli") / "demo.db")
    loaded = run("demo", "--db", db, "--report", "")
    assert loaded.returncode == 0, loaded.stderr
    return db


def test_an_output_in_a_missing_folder_is_a_clear_error(demo_db: str, tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "dir" / "x.html"
    done = run(*REPORT, "--format", "html", "-o", str(target), "--db", demo_db)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"cannot write {target}: the folder {target.parent} does not exist" in done.stderr
    assert "(at output)" in done.stderr
    unwritable = tmp_path / "a-folder"
    unwritable.mkdir()
    done = run(*REPORT, "-o", str(unwritable), "--db", demo_db)  # a folder, not a file
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"cannot write {unwritable}" in done.stderr


@pytest.mark.parametrize("limit", ["0", "-1", "10001"])
def test_a_limit_outside_1_to_10000_is_refused(demo_db: str, limit: str) -> None:
    done = run(*REPORT, "--limit", limit, "--db", demo_db)
    assert done.returncode == 2
    assert "limit must be a whole number from 1 to 10000" in done.stderr


def test_the_default_limits_still_hold(demo_db: str) -> None:
    table = run(*REPORT, "--db", demo_db)
    assert table.returncode == 0, table.stderr
    one = run(*REPORT, "--limit", "1", "--format", "csv", "--db", demo_db)
    assert one.returncode == 0, one.stderr
    assert len(one.stdout.strip().splitlines()) == 2  # header + one row
