"""``incidentChanged`` end to end: `graph-crm serve --workers 2` in its own processes, a
``websockets`` client. The feed is in the store, so every worker's subscribers are told
of a change another worker stored; a key revoked from the command line closes the
connections it holds, whichever worker serves them."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from pathlib import Path

import httpx

from graph_crm.settings import Settings
from graph_crm.store import open_store
from tests.api.incident_documents import CHANGED, REPORT_DISRUPTION
from tests.api.servers import cli_key, serving
from tests.api.sockets import connected
from tests.contract.logistics import customs_policy, load_logistics

#: Connections opened one by one, so the kernel spreads them over both workers.
CONNECTIONS = 6


async def _load(db: Path) -> None:
    store = await open_store(Settings(db_path=str(db)))
    try:
        await load_logistics(store)
        await store.define_impact_policy(customs_policy())
    finally:
        await store.close()


def test_every_workers_subscribers_are_told_and_a_revoked_key_is_cut_off(tmp_path: Path) -> None:
    db = tmp_path / "api.db"
    asyncio.run(_load(db))
    risk = cli_key(db, "risk", "subscriber")
    admin = cli_key(db, "admin", "reporter")
    with serving(tmp_path, "--workers", "2") as base:
        asyncio.run(_told_then_cut_off(base, db, risk, admin))


async def _told_then_cut_off(
    base: str, db: Path, risk: dict[str, str], admin: dict[str, str]
) -> None:
    address = base.removeprefix("http://")
    init = {"Authorization": risk["Authorization"]}
    async with contextlib.AsyncExitStack() as stack:
        subscribers = [
            await stack.enter_async_context(connected(address, init)) for _ in range(CONNECTIONS)
        ]
        for subscriber in subscribers:
            await subscriber.subscribe("1", CHANGED, after=0)
        async with httpx.AsyncClient(base_url=base, headers=admin, timeout=30) as client:
            answer = await client.post(
                "/graphql",
                json={
                    "query": REPORT_DISRUPTION,
                    "variables": {"source": {"type": "Warehouse", "key": "W1"}, "delay": 3},
                },
            )
        assert answer.json()["data"]["reportDisruption"]["opened"]
        for subscriber in subscribers:
            message = await subscriber.receive()
            assert message["type"] == "next", message
            event = message["payload"]["data"]["incidentChanged"]
            assert (event["seq"], event["reason"], event["version"]["number"]) == (1, "opened", 1)
            assert event["totals"]["affected"] == 3
        key_id = risk["Authorization"].removeprefix("Bearer gcrm_").split("_")[0]
        subprocess.run(
            [sys.executable, "-m", "graph_crm.cli", "keys", "revoke", key_id, "--db", str(db)],
            check=True,
            capture_output=True,
        )
        for subscriber in subscribers:
            assert await subscriber.closed() == (4403, "UNAUTHENTICATED: the API key was revoked")


def test_stopping_the_server_closes_its_subscriptions_and_it_exits_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "api.db"
    asyncio.run(_load(db))
    risk = cli_key(db, "risk", "subscriber")
    closed: list[tuple[int, str]] = []
    with serving(tmp_path) as base:
        # the server is stopped (SIGTERM) while the subscription is open: serving()
        # checks that it shut down cleanly, the client that it was told
        stack = contextlib.AsyncExitStack()
        loop = asyncio.new_event_loop()
        subscriber = loop.run_until_complete(
            stack.enter_async_context(
                connected(base.removeprefix("http://"), {"Authorization": risk["Authorization"]})
            )
        )
        loop.run_until_complete(subscriber.subscribe("1", CHANGED))
    closed.append(loop.run_until_complete(subscriber.closed()))
    loop.run_until_complete(stack.aclose())
    loop.close()
    assert closed[0][0] in (1001, 1012)  # going away, or service restart
