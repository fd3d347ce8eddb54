"""A demo database loaded once by the command line, for tests that run `graph-crm` on it."""

from __future__ import annotations

import pytest

from tests.cli_process import run


def demo_database(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    """The path of a fresh store holding the demo (`graph-crm demo`, no HTML written)."""
    db = str(tmp_path_factory.mktemp(name) / "demo.db")
    loaded = run("demo", "--db", db, "--report", "")
    assert loaded.returncode == 0, loaded.stderr
    return db
