"""The test process's Neo4j connections without Nagle's delay.

The async driver (neo4j 6.4) makes its sockets with ``socket(AF_INET)``: protocol 0, so
asyncio, which turns on ``TCP_NODELAY`` only for sockets whose ``proto`` is
``IPPROTO_TCP``, leaves Nagle's algorithm on (the driver's own ``TCP_NODELAY`` is set on
its sync sockets only). The Bolt handshake ends with two small writes (the version, then
one capability byte): the second waits for the server's delayed ACK, about 40 ms, and
every new connection pays it. A store opens two drivers, and the suite opens a store per
Neo4j test: about 80 ms each, most of an open.

:func:`tcp_nodelay` makes the driver's sockets with the TCP protocol number, so asyncio
sets ``TCP_NODELAY`` as it does for its own connections. Nothing the tests check depends on
it; tests/test_neo4j_sockets.py fails if the driver stops making its sockets here.
"""

from __future__ import annotations

import socket

from neo4j._async_compat.network import _bolt_socket

#: The newest socket made by :func:`tcp_socket` (the pinning test reads it).
newest: list[socket.socket] = []


def tcp_socket(family: int = socket.AF_INET) -> socket.socket:
    """A stream socket of ``family`` that names its protocol, as asyncio's nodelay wants."""
    made = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    newest[:] = [made]
    return made


def tcp_nodelay() -> None:
    """Make the async driver's connections through :func:`tcp_socket` (idempotent)."""
    _bolt_socket.socket = tcp_socket  # type: ignore[attr-defined,assignment]
