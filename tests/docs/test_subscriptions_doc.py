"""docs/incidents.md's subscription clients run as written against a real server
(`graph-crm serve`) on the demo data: the Python one (the ``websockets`` package) and the
JavaScript one (Node's built-in WebSocket) each print the change a reported disruption
of RTM-02 made."""

from __future__ import annotations

import asyncio
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from graph_crm.store.embedded.store import EmbeddedStore
from tests.api.incident_documents import REPORT_DISRUPTION
from tests.api.servers import cli_key, serving
from tests.docs.answers import load_demo
from tests.docs.blocks import doc_block

RTM_02 = {"type": "Warehouse", "key": "RTM-02"}


async def _demo(db: Path) -> None:
    store = await EmbeddedStore.open(db)
    try:
        await load_demo(store)
    finally:
        await store.close()


def _lines(stream: IO[str]) -> queue.Queue[str]:
    """The lines ``stream`` prints, as they come (read by a thread of their own)."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


class _Client:
    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.lines = _lines(self.process.stdout)

    def stop(self) -> str:
        self.process.terminate()
        _, errors = self.process.communicate(timeout=10)
        return errors


def _clients(env: dict[str, str]) -> Iterator[tuple[str, _Client]]:
    yield (
        "python",
        _Client([sys.executable, "-c", doc_block("incidents-subscribe-python").text], env),
    )
    node = shutil.which("node")
    if node is not None or os.environ.get("CI") == "true":
        assert node is not None, "node is needed to run the JavaScript example"
        script = doc_block("incidents-subscribe-js").text
        yield "javascript", _Client([node, "--experimental-websocket", "-e", script], env)


def test_the_subscription_clients_print_the_change_a_disruption_made(tmp_path: Path) -> None:
    db = tmp_path / "api.db"
    asyncio.run(_demo(db))
    risk = cli_key(db, "risk", "subscriber")
    admin = cli_key(db, "admin", "reporter")
    with serving(tmp_path) as base:
        env = {
            **os.environ,
            "GRAPH_CRM_WS": base.replace("http://", "ws://") + "/graphql",
            "GRAPH_CRM_KEY": risk["Authorization"].removeprefix("Bearer "),
        }
        clients = dict(_clients(env))
        printed: dict[str, str] = {}
        try:
            # each client subscribes "from now on" when it gets there: report until both
            # were told (a report of the same delay adds a version: "reported again")
            for _ in range(20):
                answer = httpx.post(
                    f"{base}/graphql",
                    json={"query": REPORT_DISRUPTION, "variables": {"source": RTM_02, "delay": 6}},
                    headers=admin,
                    timeout=60,
                ).json()
                assert answer["data"]["reportDisruption"]["__typename"] == "IncidentPayload"
                for name, client in clients.items():
                    if name not in printed:
                        try:
                            printed[name] = client.lines.get(timeout=2)
                        except queue.Empty:
                            assert client.process.poll() is None, client.stop()
                if len(printed) == len(clients):
                    break
        finally:
            errors = {name: client.stop() for name, client in clients.items()}
    assert set(printed) == set(clients), errors
    # seq, reason, source and totals: the first version the client was told of
    told = re.fullmatch(
        r"(\d+) (opened|delay updated|reported again) Warehouse:RTM-02 (\{.*\})\n",
        printed["python"],
    )
    assert told is not None, printed["python"]
    assert "'affected': 138" in told[3]
    if "javascript" in printed:
        seq, *words = printed["javascript"].split()
        assert int(seq) >= 1
        assert words[-2:] == ["Warehouse:RTM-02", "138"]


@pytest.mark.parametrize("block", ["incidents-subscribe-python", "incidents-subscribe-js"])
def test_the_clients_ask_for_the_protocol_and_send_the_key_in_connection_init(block: str) -> None:
    text = doc_block(block).text
    assert "graphql-transport-ws" in text
    assert "connection_init" in text
    assert "Authorization" in text
