"""What the fault tests start and kill: `graph-crm serve` processes, and a switch that
kills a process at a chosen moment of a write."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from tools.neo4j_local import die_with_parent, free_port


class ApiProcess:
    """`graph-crm serve` on a loopback port, in a process that dies with the test run."""

    def __init__(
        self, log: Path, options: Sequence[str], env: Mapping[str, str] | None = None
    ) -> None:
        self.log = log
        self.options = tuple(options)
        self.env = {**os.environ, **(env or {})}
        self.port = free_port()
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self._proc is not None, "not started"
        return self._proc.pid

    def start(self, timeout: float = 60.0) -> None:
        """Start it (on the same port as before, if it ran already) and wait until healthy."""
        assert self._proc is None, "already running"
        with self.log.open("ab") as log:
            # Started from the test's main thread: die_with_parent ties it to that thread.
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "graph_crm.cli", "serve", "--port", str(self.port)]
                + list(self.options),
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=self.env,
                preexec_fn=die_with_parent,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise AssertionError(f"graph-crm serve exited early:\n{self.log_text()[-3000:]}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        self.kill()
        raise AssertionError(f"graph-crm serve did not become healthy:\n{self.log_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, as in a crash."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            self._proc = None

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(20)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def api_process(
    log: Path, options: Sequence[str], env: Mapping[str, str] | None = None
) -> Iterator[ApiProcess]:
    """A started :class:`ApiProcess`, stopped (or killed) whatever happens."""
    server = ApiProcess(log, options, env)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Landing:
    """Where a kill landed: when the write was first seen, when the kill was sent, and
    whether the write was still going on just before."""

    seen_at: float = 0.0
    killed_at: float = 0.0
    still_writing: bool = False
    error: BaseException | None = None


class KillSwitch:
    """A thread that polls ``writing()`` and calls ``kill()`` ``delay`` seconds after the
    write is first seen, or (``at_end``) as soon as it is seen to end."""

    def __init__(
        self,
        writing: Callable[[], bool],
        kill: Callable[[], None],
        *,
        delay: float = 0.0,
        at_end: bool = False,
        timeout: float = 60.0,
    ) -> None:
        self.landing = Landing()
        self._writing = writing
        self._kill = kill
        self._delay = delay
        self._at_end = at_end
        self._timeout = timeout
        self._thread = threading.Thread(target=self._run, name="kill-switch", daemon=True)

    def __enter__(self) -> KillSwitch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join(self._timeout + 5)

    def wait(self) -> Landing:
        self._thread.join(self._timeout + 5)
        if self.landing.error is not None:
            raise self.landing.error
        assert self.landing.killed_at, "the kill switch never fired"
        return self.landing

    def _run(self) -> None:
        try:
            deadline = time.monotonic() + self._timeout
            while not self._writing():
                if time.monotonic() > deadline:
                    raise AssertionError("the write never started")
                time.sleep(0.001)
            self.landing.seen_at = time.monotonic()
            if self._at_end:
                while self._writing():
                    if time.monotonic() > deadline:
                        raise AssertionError("the write never ended")
                    time.sleep(0.001)
            else:
                time.sleep(self._delay)
            self.landing.still_writing = self._writing()
            self._kill()
            self.landing.killed_at = time.monotonic()
        except BaseException as exc:  # reported by wait()
            self.landing.error = exc
