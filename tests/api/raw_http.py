"""HTTP/1.1 by hand over a raw socket, to be the slow or greedy client a library never is."""

from __future__ import annotations

import contextlib
import select
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

#: Far longer than any deadline the tests set: a connection still open after this is
#: one the server would have kept open.
PATIENCE = 10.0


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=PATIENCE)


def request_head(method: str, path: str, *headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines).encode()


def graphql_post(token: str, body: bytes) -> bytes:
    """A whole POST /graphql request with a bearer key and a JSON body."""
    head = request_head(
        "POST",
        "/graphql",
        f"Authorization: Bearer {token}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
    )
    return head + body


@dataclass
class Ending:
    """How a connection ended: whether the server closed it, and what it answered."""

    closed: bool
    answer: bytes

    @property
    def status(self) -> int | None:
        """The status of the answer's first response, if there is one."""
        if not self.answer.startswith(b"HTTP/1.1 "):
            return None
        return int(self.answer[9:12])


def read_until_closed(sock: socket.socket, within: float = PATIENCE) -> Ending:
    """Read until the server closes the connection (EOF or a reset), for ``within`` s."""
    answer = b""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([sock], [], [], left)
        if not readable:
            break
        chunk = _receive(sock)
        if chunk is None:
            return Ending(True, answer)
        answer += chunk
    return Ending(False, answer)


def _receive(sock: socket.socket) -> bytes | None:
    """What the server sent (the socket is readable), or None if it closed the connection."""
    try:
        chunk = sock.recv(65536)
    except ConnectionResetError:
        return None
    return chunk or None


def dribble(
    sock: socket.socket,
    byte: bytes,
    *,
    every: float = 0.3,
    meanwhile: Callable[[], None] = lambda: None,
) -> Ending:
    """Send ``byte`` every ``every`` s, calling ``meanwhile`` between sends, until the
    server closes the connection or :data:`PATIENCE` runs out."""
    answer = b""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        readable, _, _ = select.select([sock], [], [], every)
        if readable:
            chunk = _receive(sock)
            if chunk is None:
                return Ending(True, answer)
            answer += chunk
            continue
        meanwhile()
        try:
            sock.sendall(byte)
        except (BrokenPipeError, ConnectionResetError):
            rest = read_until_closed(sock, within=1.0)
            return Ending(True, answer + rest.answer)
    return Ending(False, answer)


def exchange(port: int, request: bytes) -> Ending:
    """One request on a connection of its own, asking the server to close it after."""
    with connect(port) as sock:
        sock.sendall(request)
        return read_until_closed(sock)


@contextlib.contextmanager
def open_connections(port: int, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections that send nothing, closed on exit."""
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(connect(port)) for _ in range(count)]
