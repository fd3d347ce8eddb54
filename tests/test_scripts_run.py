"""`./scripts/run` as a new user types it: its own arguments reach `graph-crm demo`, it
says what it installs, and a busy port is a clear error before anything claims to serve."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_a_busy_port_is_refused_before_anything_claims_to_serve(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            ["bash", "scripts/run", "--port", str(port), "--report", str(tmp_path / "r.html"),
             "--db", str(tmp_path / "demo.db")],
            cwd=REPO, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
    # the script's arguments went to graph-crm demo, not to pip
    assert "not a valid editable requirement" not in done.stderr
    assert "installing graph-crm into .venv" in done.stdout
    assert done.returncode == 2, done.stderr
    assert f"127.0.0.1:{port} is already in use" in done.stderr
    assert f"--port {port + 1}" in done.stderr
    # refused before the demo ran, printed a key or claimed to serve
    assert "Serving" not in done.stdout
    assert "admin key" not in done.stdout
    assert not (tmp_path / "demo.db").exists()


def test_serve_refuses_a_busy_port_with_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(REPO / ".venv/bin/graph-crm"), "serve", "--port", str(port), "--db",
             str(tmp_path / "api.db")],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert done.returncode == 2
    assert "already in use" in done.stderr
    assert "Traceback" not in done.stderr
