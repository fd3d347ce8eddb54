"""Real servers: `graph-crm serve` under uvicorn on a loopback port, and keys made by
`graph-crm keys create`."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(base: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited early"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not become healthy")


def cli_key(db: Path, role: str = "admin", name: str = "uvicorn-tests") -> dict[str, str]:
    """Headers with a key of ``role`` made by `graph-crm keys create` in the database ``db``."""
    made = subprocess.run(
        [sys.executable, "-m", "graph_crm.cli", "keys", "create", "--role", role, "--json",
         "--name", name, "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    return {"Authorization": f"Bearer {json.loads(made.stdout)['token']}"}


def admin_key(tmp_path: Path) -> dict[str, str]:
    """Headers with an admin key in the server's database (``tmp_path``/api.db)."""
    return cli_key(tmp_path / "api.db")


@contextlib.contextmanager
def serving(tmp_path: Path, *options: str) -> Iterator[str]:
    """`graph-crm serve` on a free loopback port: its base URL; stopped cleanly after."""
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "graph_crm.cli",
                "serve",
                "--port",
                str(port),
                "--db",
                str(tmp_path / "api.db"),
                *options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
    # uvicorn shuts down gracefully (the lifespan closes the store), then re-raises SIGTERM.
    assert server.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in log.read_text(encoding="utf-8")
