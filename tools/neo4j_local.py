"""Run a throwaway Neo4j Community server on loopback, from jars resolved via Maven Central.

Standard library only (no neo4j driver needed). Usage:

    python tools/neo4j_local.py resolve   # fetch jars into .neo4j/lib, make the class
                                          # archive (make_class_archive), print the dir
    python tools/neo4j_local.py run       # start a server, print its bolt:// URI, Ctrl-C stops

From Python::

    with LocalNeo4j() as db:
        driver = GraphDatabase.driver(db.uri, auth=None)

Fault tests also ``kill()`` it (SIGKILL), ``shutdown()`` it cleanly, ``pause()`` and
``resume()`` it (SIGSTOP/SIGCONT), and ``restart()`` it on the same home and port.
"""

from __future__ import annotations

import argparse
import atexit
import ctypes
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

TOOLS_DIR = Path(__file__).resolve().parent
POM = TOOLS_DIR / "neo4j" / "pom.xml"
DEFAULT_LIB_DIR = TOOLS_DIR.parent / ".neo4j" / "lib"
MARKER = ".resolved"


def _pom_version(pom: Path = POM) -> str:
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = ET.parse(pom).getroot().findtext("m:properties/m:neo4j.version", namespaces=ns)
    if not version:
        raise RuntimeError(f"no <neo4j.version> property in {pom}")
    return version.strip()


NEO4J_VERSION = _pom_version()

JVM_FLAGS = (
    # Without the add-opens, Neo4j warns and falls back to slower page cache / file IO paths.
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",  # a no-op on Java 17, silences warnings on 22+
    # Test server: the serial GC uses less memory than G1 on few cores. The JIT stops at
    # C1: a test server lives for minutes, and C2 spent them compiling. Measured at
    # a6a062f (per-thread CPU of the JVM, the Neo4j half of tests/api on one server):
    # 144 CPU-s with C2 (56 of them C2's compiler threads, 63 answering Bolt) against 112
    # with C1 only (83 answering Bolt: slower code, but no C2 compiles); on
    # tests/contract/test_definitions.py + test_traversal.py, 50 against 32; over a whole
    # default run (servers living ~10 minutes) 353 against 347. (When resets still dropped
    # every constraint, Neo4j planned queries for much longer and C2 won.)
    "-XX:TieredStopAtLevel=1",
    # With C1 only the JVM reserves 48 MB for compiled code, not 240: a server that plans
    # many distinct statements (compiled GraphQL queries, one text per shape) filled it and
    # failed a later query with "Out of space in CodeCache for adapters" (CI, d6e60d1).
    "-XX:ReservedCodeCacheSize=256m",
    "-XX:+UseSerialGC",
    "-XX:-UsePerfData",
    "-XX:+ExitOnOutOfMemoryError",
    "-Dfile.encoding=UTF-8",
)
MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
#: ``neo4j-admin``'s entry point, in the same jars.
ADMIN_CLASS = "org.neo4j.cli.AdminTool"


class Neo4jError(RuntimeError):
    """Resolving or starting the local Neo4j server failed."""


def _tail(text: str, lines: int = 40) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # Maven prints colour codes even with -B
    return "\n".join(text.splitlines()[-lines:])


def resolve(lib_dir: Path | None = None) -> Path:
    """Make sure the Neo4j server jars are in ``lib_dir`` (default ``.neo4j/lib``); return it.

    Runs ``mvn dependency:copy-dependencies`` unless a marker from an earlier successful
    run for the same version is present. Jars are cached in ``~/.m2`` by Maven.
    """
    lib_dir = (lib_dir or DEFAULT_LIB_DIR).resolve()
    marker = lib_dir / MARKER
    lib_dir.parent.mkdir(parents=True, exist_ok=True)
    # Serialise concurrent resolvers (e.g. pytest-xdist workers).
    with open(lib_dir.parent / f"{lib_dir.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and marker.read_text().strip() == NEO4J_VERSION:
            return lib_dir
        mvn = shutil.which("mvn")
        if mvn is None:
            raise Neo4jError("Maven ('mvn') is not on PATH; it is needed to fetch Neo4j")
        shutil.rmtree(lib_dir, ignore_errors=True)
        cmd = [
            mvn, "-B", "-q", "-f", str(POM), "dependency:copy-dependencies",
            f"-DoutputDirectory={lib_dir}",
        ]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            output = _tail(result.stdout + result.stderr)
            raise Neo4jError(f"{' '.join(cmd)} failed ({result.returncode}):\n{output}")
        marker.write_text(NEO4J_VERSION + "\n")
    return lib_dir


def class_archive_path(lib_dir: Path | None = None) -> Path:
    """Where :func:`make_class_archive` keeps the server's class archive (beside the jars)."""
    return (lib_dir or DEFAULT_LIB_DIR).resolve().parent / f"neo4j-{NEO4J_VERSION}-classes.jsa"


def make_class_archive(lib_dir: Path | None = None) -> Path:
    """The server's class-data-sharing archive, made once if it is missing: the classes a
    start and a stop load, which every later server maps ready-parsed instead of reading
    them from the jars. Measured on the idle 2-core machine: a start took 4.5-4.9 s
    without it, 3.0-3.2 s with it; the suite starts a server in each test process, after
    each restart in the fault tests and for each admin import. A JVM of another build finds
    the archive foreign and starts without it (``-Xshare:auto``, the default)."""
    lib = resolve(lib_dir)
    archive = class_archive_path(lib)
    with open(lib.parent / f"{archive.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one maker among concurrent resolvers
        if archive.is_file():
            return archive
        partial = archive.with_name(f"{archive.name}.{os.getpid()}.partial")
        server = LocalNeo4j(lib, jvm_args=(f"-XX:ArchiveClassesAtExit={partial}",))
        try:
            server.start()
        finally:
            server.stop()  # the JVM writes the archive as it exits
        if not partial.is_file():
            raise Neo4jError(f"the JVM wrote no class archive ({partial})")
        partial.replace(archive)
    return archive


def free_port() -> int:
    """A currently unused TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# Bolt handshake: magic preamble, then four version proposals [0, range, minor, major]:
# 5.8 down to 5.0, 4.4 down to 4.2, and two unused slots.
_BOLT_HANDSHAKE = bytes.fromhex("6060b017") + bytes([0, 8, 8, 5, 0, 2, 4, 4]) + bytes(8)


def bolt_ready(host: str, port: int, timeout: float = 1.0) -> bool:
    """True if a Bolt server at host:port answers the handshake with a version."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(_BOLT_HANDSHAKE)
            answer = b""
            while len(answer) < 4:
                chunk = sock.recv(4 - len(answer))
                if not chunk:
                    return False
                answer += chunk
            return answer != bytes(4)
    except OSError:
        return False


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home, "bin", "java")) if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise Neo4jError("no 'java' found (set JAVA_HOME or put java on PATH); need Java 17+")
    return java


_LIBC = ctypes.CDLL(None) if sys.platform == "linux" else None


def die_with_parent() -> None:
    """Runs in the child before exec: the kernel SIGTERMs it when the parent dies (Linux).

    "Parent" is the thread that started it: start servers from a thread that outlives them.
    """
    pr_set_pdeathsig = 1
    if _LIBC is not None:
        _LIBC.prctl(pr_set_pdeathsig, signal.SIGTERM)


def admin(
    home: Path, args: Sequence[str], lib_dir: Path | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``neo4j-admin ARGS`` (e.g. ``database import full ...``) on the server home
    ``home`` (stopped, for an import), with the jars :func:`resolve` fetched."""
    lib = resolve(lib_dir)
    env = dict(os.environ, NEO4J_HOME=str(home), NEO4J_CONF=str(home / "conf"))
    return subprocess.run(
        # the module flags, not the test server's small-machine GC and JIT choices
        [
            _java(),
            *(f for f in JVM_FLAGS if f.startswith("--")),
            "-cp",
            f"{lib}/*",
            ADMIN_CLASS,
            *args,
        ],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class LocalNeo4j:
    """A Neo4j Community server in a fresh temp dir, Bolt on 127.0.0.1, auth disabled."""

    def __init__(
        self,
        lib_dir: Path | None = None,
        *,
        port: int | None = None,
        heap: str = "512m",
        pagecache: str = "128m",
        startup_timeout: float = 120.0,
        extra_config: Mapping[str, str] | None = None,
        jvm_args: Sequence[str] = (),
    ) -> None:
        self.lib_dir = lib_dir
        self._requested_port = port
        self.port = port or 0  # the actual port once started
        self.heap = heap
        self.pagecache = pagecache
        self.startup_timeout = startup_timeout
        self.extra_config = dict(extra_config or {})
        self.jvm_args = tuple(jvm_args)
        self.home: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._paused = False

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        if self.home is None:
            raise Neo4jError("server not started")
        return self.home / "console.log"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def running(self) -> bool:
        """Whether the JVM is alive (paused or not)."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def paused(self) -> bool:
        return self._paused

    def _config(self) -> dict[str, str]:
        return {
            "server.default_listen_address": "127.0.0.1",
            "server.default_advertised_address": "127.0.0.1",
            "server.bolt.enabled": "true",
            "server.bolt.listen_address": f"127.0.0.1:{self.port}",
            "server.http.enabled": "false",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "false",
            "dbms.usage_report.enabled": "false",
            "server.memory.pagecache.size": self.pagecache,
            # Bolt shutdown otherwise idles 2 x 5 s in Netty's graceful-shutdown quiet period.
            "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
            **self.extra_config,
        }

    def start(self) -> None:
        """Start the server in a fresh home and block until Bolt answers; raise
        Neo4jError on failure."""
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the server in a fresh home without waiting for it: :meth:`wait_ready`
        blocks until Bolt answers (the JVM boots meanwhile)."""
        if self._proc is not None or self.home is not None:
            raise Neo4jError("already started")
        self.port = self._requested_port or free_port()
        self.home = Path(tempfile.mkdtemp(prefix="neo4j-local-"))
        conf_dir = self.home / "conf"
        conf_dir.mkdir()
        conf = "".join(f"{key}={value}\n" for key, value in self._config().items())
        (conf_dir / "neo4j.conf").write_text(conf)
        atexit.register(self.stop)
        self._spawn()

    def wait_ready(self) -> None:
        """Block until Bolt answers; stop the server and raise Neo4jError if it will not."""
        try:
            self._wait_for_bolt()
        except BaseException:
            self.stop()
            raise

    def restart(self) -> None:
        """Start the server again on the same home, port and data (after :meth:`kill` or
        :meth:`shutdown`); Neo4j recovers from its transaction log as after a crash."""
        if self.home is None:
            raise Neo4jError("never started: nothing to restart")
        if self._proc is not None:
            raise Neo4jError("still running: kill() or shutdown() it first")
        self._spawn()
        self.wait_ready()

    def _spawn(self) -> None:
        assert self.home is not None
        lib_dir = resolve(self.lib_dir)
        conf_dir = self.home / "conf"
        archive = class_archive_path(lib_dir)
        shared = [f"-XX:SharedArchiveFile={archive}"] if archive.is_file() else []
        if any(arg.startswith("-XX:ArchiveClassesAtExit") for arg in self.jvm_args):
            shared = []  # making the archive itself
        cmd = [
            _java(), f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_FLAGS, *shared,
            *self.jvm_args, "-cp", f"{lib_dir}/*", MAIN_CLASS,
            f"--home-dir={self.home}", f"--config-dir={conf_dir}", "--console-mode",
        ]  # fmt: skip
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in _reap()
        self._proc = subprocess.Popen(
            cmd,
            cwd=self.home,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in a terminal must not hit the JVM directly
            preexec_fn=die_with_parent,
        )
        self._paused = False

    def _wait_for_bolt(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self.startup_timeout
        while not bolt_ready("127.0.0.1", self.port):
            if self._proc.poll() is not None:
                raise Neo4jError(
                    f"Neo4j exited with code {self._proc.returncode} before Bolt was ready; "
                    f"console log tail:\n{self._log_tail()}"
                )
            if time.monotonic() > deadline:
                raise Neo4jError(
                    f"Neo4j Bolt not ready on port {self.port} after {self.startup_timeout:.0f}s; "
                    f"console log tail:\n{self._log_tail()}"
                )
            time.sleep(0.2)

    def _log_tail(self) -> str:
        try:
            return _tail(self.log_path.read_text(errors="replace"))
        except OSError as exc:
            return f"(no log: {exc})"

    def wait(self) -> int:
        """Block until the server process exits; return its exit code."""
        if self._proc is None:
            raise Neo4jError("server not started")
        return self._proc.wait()

    def kill(self) -> None:
        """SIGKILL the JVM (a crash: no shutdown, no checkpoint); the home stays for
        :meth:`restart`."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
        self._reap()

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop the server cleanly (SIGTERM; SIGKILL after ``timeout``); the home stays
        for :meth:`restart`."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            if self._paused:
                self._proc.send_signal(signal.SIGCONT)  # a stopped process cannot exit
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._reap()

    def pause(self) -> None:
        """SIGSTOP the JVM: its port still accepts connections, but nothing answers."""
        if self._proc is None:
            raise Neo4jError("server not running")
        self._proc.send_signal(signal.SIGSTOP)
        self._paused = True
        # A signal is delivered asynchronously: return once the kernel reports the stop.
        _, status = os.waitpid(self._proc.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            raise Neo4jError(f"Neo4j did not stop but ended (wait status {status})")

    def resume(self) -> None:
        """SIGCONT a paused JVM."""
        if self._proc is None:
            raise Neo4jError("server not running")
        self._proc.send_signal(signal.SIGCONT)
        self._paused = False
        os.waitpid(self._proc.pid, os.WCONTINUED)

    def _reap(self) -> None:
        self._proc = None
        self._paused = False
        if self._log is not None:
            self._log.close()
            self._log = None

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``) and delete its temp dir."""
        atexit.unregister(self.stop)
        self.shutdown(timeout)
        if self.home is not None:
            shutil.rmtree(self.home, ignore_errors=True)
            self.home = None

    def __enter__(self) -> LocalNeo4j:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"Local Neo4j {NEO4J_VERSION} for tests")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "resolve", help="fetch the server jars, make the class archive, print the lib dir"
    )
    run = sub.add_parser("run", help="start a server, print its Bolt URI, stop on Ctrl-C/SIGTERM")
    run.add_argument("--port", type=int, default=None, help="Bolt port (default: a free one)")
    args = parser.parse_args(argv)

    if args.command == "resolve":
        lib = resolve()
        try:
            make_class_archive(lib)
        except Neo4jError as exc:  # the servers start without it; a server that cannot
            # start at all is reported by the tests that need one
            print(f"no class archive, servers start without it: {exc}", file=sys.stderr)
        print(lib)
        return 0
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _raise_keyboard_interrupt)
    try:
        with LocalNeo4j(port=args.port) as db:
            print(db.uri, flush=True)
            code = db.wait()
            print(f"Neo4j exited by itself with code {code}; log tail:\n{db._log_tail()}")
            return 1
    except KeyboardInterrupt:
        return 0
    except Neo4jError as exc:
        print(exc, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
