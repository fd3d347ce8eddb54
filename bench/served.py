"""A server the benchmarks start as a process of its own on loopback, and stop."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import httpx


@contextlib.contextmanager
def served(
    command: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    port: int,
    log_path: Path,
    ready: Callable[[str], bool],
    what: str,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``command`` serving on ``port`` (its output in ``log_path``) once ``ready(base)``
    says so (60 s at most); its base URL and process. Stopped on exit (SIGTERM, then
    SIGKILL after 30 s). It runs in a session of its own: a Ctrl-C in the terminal reaches
    only the benchmark, which then stops it."""
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            command, cwd=cwd, env=dict(env), stdout=log_file, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        _wait(base, server, log_path, ready, what)
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait(
    base: str,
    server: subprocess.Popen[bytes],
    log_path: Path,
    ready: Callable[[str], bool],
    what: str,
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{what} exited with {server.returncode}:\n{tail}")
        with contextlib.suppress(httpx.TransportError):
            if ready(base):
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} at {base} did not answer within 60 s")
