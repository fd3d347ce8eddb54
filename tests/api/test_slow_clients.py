"""Slow and greedy clients against a real `graph-crm serve`, over raw sockets: a request's
head and body must arrive within their deadlines (else 408 and close), and open
connections are bounded (else 503), while /healthz keeps answering."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.raw_http import (
    Ending,
    connect,
    dribble,
    exchange,
    open_connections,
    read_until_closed,
    request_head,
)
from tests.api.servers import admin_key
from tests.faults.processes import ApiProcess, api_process

#: Deadlines of the servers under test, in seconds; the tests wait ten times as long.
DEADLINES = {"GRAPH_CRM_HEADER_TIMEOUT": "1", "GRAPH_CRM_BODY_TIMEOUT": "1"}
HEALTHZ = request_head("GET", "/healthz", "Connection: close")


@dataclass
class Served:
    server: ApiProcess
    authorization: str

    def healthy(self) -> None:
        assert httpx.get(f"{self.server.base}/healthz", timeout=5).status_code == 200


@contextlib.contextmanager
def serving(tmp: Path, env: dict[str, str], *options: str) -> Iterator[Served]:
    """`graph-crm serve` on the embedded store, with ``env``, and an admin key for it."""
    authorization = admin_key(tmp)["Authorization"]
    db = ["--backend", "embedded", "--db", str(tmp / "api.db")]
    with api_process(tmp / "server.log", [*db, *options], env) as server:
        yield Served(server, authorization)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serving(tmp_path_factory.mktemp("slow-clients"), DEADLINES) as server:
        yield server


def assert_timed_out(ending: Ending) -> None:
    assert ending.closed, "the server kept the connection of a client that dribbles open"
    assert ending.answer == b"" or ending.status == 408, ending.answer[:200]


def test_a_client_dribbling_its_head_is_answered_408_and_closed(served: Served) -> None:
    with connect(served.server.port) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        ending = dribble(sock, b"a", meanwhile=served.healthy)
    assert_timed_out(ending)
    served.healthy()


def test_the_head_deadline_holds_for_the_next_request_on_a_kept_alive_connection(
    served: Served,
) -> None:
    with connect(served.server.port) as sock:
        sock.sendall(request_head("GET", "/healthz"))
        first = b""
        while b'"status":"ok"' not in first:
            chunk = sock.recv(65536)
            assert chunk, "the server closed a kept-alive connection"
            first += chunk
        assert first.startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        ending = dribble(sock, b"a", meanwhile=served.healthy)
    assert_timed_out(ending)


def test_a_client_dribbling_its_body_is_answered_408_and_closed(served: Served) -> None:
    head = request_head(
        "POST",
        "/graphql",
        f"Authorization: {served.authorization}",
        "Content-Type: application/json",
        "Content-Length: 1000",
    )
    with connect(served.server.port) as sock:
        sock.sendall(head + b'{"query": "')
        ending = dribble(sock, b" ", meanwhile=served.healthy)
    assert_timed_out(ending)
    served.healthy()


def test_a_connection_that_sends_nothing_is_closed(served: Served) -> None:
    with connect(served.server.port) as sock:
        ending = read_until_closed(sock)
    assert ending.closed, "the server kept a connection that sent nothing open"
    assert ending.answer == b""


def test_past_max_connections_the_next_one_is_refused_503_until_some_close(
    tmp_path: Path,
) -> None:
    # Long deadlines: the idle connections stay open on the server for the whole test.
    env = {"GRAPH_CRM_HEADER_TIMEOUT": "60", "GRAPH_CRM_MAX_CONNECTIONS": "8"}
    with serving(tmp_path, env) as served:
        port = served.server.port
        with open_connections(port, 8):
            try:
                refused = exchange(port, HEALTHZ)
            except ConnectionRefusedError:
                pass
            else:
                assert refused.closed
                assert refused.status == 503 or refused.answer == b"", refused.answer[:200]
        answered = exchange(port, HEALTHZ)
        for _ in range(50):  # the server may not have seen every close yet
            if answered.status == 200:
                break
            answered = exchange(port, HEALTHZ)
        assert answered.status == 200, answered.answer[:200]


def test_every_worker_process_keeps_the_head_deadline(tmp_path: Path) -> None:
    with serving(tmp_path, DEADLINES, "--workers", "2") as served:
        for _ in range(2):  # two connections: likely on each worker (not guaranteed)
            with connect(served.server.port) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                ending = dribble(sock, b"a", meanwhile=served.healthy)
            assert_timed_out(ending)
