"""Running a documented ``bash`` block as a user would: each command through bash, from a
copy of the checkout that holds the demo data in ``data/graph-crm.db``."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from tests.api.servers import wait_healthy
from tests.docs.blocks import REPO, Block

#: Left out of the copy: what a run writes, so each test starts from the checkout alone.
_NOT_COPIED: Final = frozenset({"data", "reports", "build", ".git"})


def checkout_copy(where: Path, demo_db: Path | None = None) -> Path:
    """A directory that looks like the checkout (its entries linked, not copied) with an
    empty ``data/``, holding a copy of ``demo_db`` as ``data/graph-crm.db`` if given."""
    root = where / "checkout"
    root.mkdir()
    for entry in REPO.iterdir():
        if entry.name not in _NOT_COPIED:
            (root / entry.name).symlink_to(entry)
    (root / "data").mkdir()
    if demo_db is not None:
        copy_database(demo_db, root / "data" / "graph-crm.db")
    return root


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of an SQLite database (its WAL included)."""
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
    reading.close()
    writing.close()


def user_environment(**extra: str) -> dict[str, str]:
    """The environment without this process's GRAPH_CRM_* settings, with ``graph-crm`` and
    ``python3`` of this virtualenv first on the PATH."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("GRAPH_CRM_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def edited(block: Block, replacements: dict[str, str]) -> str:
    """The block's text with what cannot run here replaced; each part must be in it."""
    text = block.text
    for old, new in replacements.items():
        assert old in text, f"{block.where} no longer says {old!r}"
        text = text.replace(old, new)
    return text


def commands(text: str) -> list[str]:
    """The commands of a block: its lines, joined where one ends in a backslash, without
    blank lines and lines that are only a comment."""
    joined = re.sub(r"\\\n\s*", " ", text)
    return [
        line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def run_command(command: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``command`` through bash in ``cwd``; it must succeed."""
    done = subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{command}\nexit {done.returncode}\n{done.stderr}"
    return done


def run_block(
    block: Block, cwd: Path, env: dict[str, str], replacements: dict[str, str] | None = None
) -> list[subprocess.CompletedProcess[str]]:
    """Every command of ``block`` in turn (with ``replacements``); each must succeed."""
    return [run_command(line, cwd, env) for line in commands(edited(block, replacements or {}))]


def on_port(command: str, port: int) -> str:
    """A ``serve`` or ``run`` command on ``port`` instead of the one it names (8000 when it
    names none): the documented ports may be taken here."""
    if re.search(r"--port \d+", command):
        return re.sub(r"--port \d+", f"--port {port}", command)
    return command.replace("graph-crm serve", f"graph-crm serve --port {port}", 1)


@contextlib.contextmanager
def serving(
    command: str, cwd: Path, env: dict[str, str], port: int, log: Path, timeout: float = 60
) -> Iterator[str]:
    """A server ``command`` started through bash (its output to ``log``), once it answers
    ``/healthz`` on ``port``: its base URL; stopped with SIGTERM after."""
    with log.open("wb") as out:
        server = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=cwd, env=env,
                                  stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server, timeout=timeout)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def made_with_secret(stdout: str) -> str:
    """The id a `graph-crm integrations|webhooks create` printed, with its secret (43
    characters: 256 bits, base64url) printed once beside it."""
    found = re.search(r"^id\s+([0-9a-f]{16})$", stdout, re.M)
    assert found is not None, stdout
    assert re.search(r"^secret\s+\S{43}$", stdout, re.M), stdout
    return found[1]
