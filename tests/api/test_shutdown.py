"""SIGTERM stops `graph-crm serve` within seconds, even while a request is deep in a query
that would run for minutes: uvicorn cancels it after the shutdown timeout (503 to its
client), and the app's lifespan closes the store, which interrupts the statement still
running (the embedded store's ``close()``)."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from graph_crm.auth.roles import Role
from graph_crm.services.api_keys import create_key
from graph_crm.store.embedded.store import EmbeddedStore
from tests.api.raw_http import connect, graphql_post, read_until_closed
from tests.api.servers import wait_healthy
from tests.api.slow_read import load_notes, slow_request
from tools.neo4j_local import die_with_parent, free_port

#: Generous: the server gets 1 s to finish requests, then closes the store.
STOPPED_WITHIN = 10.0


async def _slow_store(db: Path) -> str:
    """Notes that take seconds to filter (tests/api/slow_read.py), and an admin key."""
    store = await EmbeddedStore.open(db)
    try:
        await load_notes(store)
        return await create_key(store, "slow", Role.ADMIN, actor="tests")
    finally:
        await store.close()


def test_sigterm_stops_serve_mid_query_and_answers_that_request_503(tmp_path: Path) -> None:
    db = tmp_path / "slow.db"
    token = asyncio.run(_slow_store(db))
    port, log = free_port(), tmp_path / "server.log"
    env = {
        **os.environ,
        "GRAPH_CRM_SHUTDOWN_TIMEOUT": "1",
        # The query must still be running when SIGTERM comes, whatever the work budget.
        "GRAPH_CRM_BUDGET_SECONDS_ADMIN": "600",
    }
    command = [sys.executable, "-m", "graph_crm.cli", "serve", "--backend", "embedded"]
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [*command, "--port", str(port), "--db", str(db)],
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            env=env,
            preexec_fn=die_with_parent,
        )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", server)
        with connect(port) as sock:
            sock.sendall(graphql_post(token, slow_request()))
            # Parsing and checking the query takes milliseconds; the store call, minutes.
            time.sleep(2)
            readable, _, _ = select.select([sock], [], [], 0)
            assert not readable, "the slow query answered before the server was stopped"
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=STOPPED_WITHIN)
            except subprocess.TimeoutExpired:
                raise AssertionError(
                    f"graph-crm serve still runs {STOPPED_WITHIN:g} s after SIGTERM:\n"
                    + log.read_text(encoding="utf-8", errors="replace")[-3000:]
                ) from None
            ending = read_until_closed(sock, within=1.0)
        assert ending.closed
        assert ending.status == 503, ending.answer[:200]  # cancelled: the client may retry
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    # uvicorn shuts down gracefully (the lifespan closes the store), then re-raises SIGTERM.
    assert server.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in log.read_text(encoding="utf-8")
