"""The suite's Neo4j connections set TCP_NODELAY (tests/neo4j_sockets.py): a driver that
made its sockets elsewhere would silently bring back a 40 ms wait per connection."""

from __future__ import annotations

import socket

import pytest

from tests.neo4j_env import Neo4jTarget, admin_driver
from tests.neo4j_sockets import newest

pytestmark = pytest.mark.neo4j


async def test_a_new_driver_connection_has_tcp_nodelay(neo4j_target: Neo4jTarget) -> None:
    newest.clear()
    async with admin_driver(neo4j_target) as driver:
        await driver.verify_connectivity()
        [connection] = newest
        assert connection.fileno() != -1  # the pooled connection, still open
        assert connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
