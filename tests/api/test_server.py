"""One real server: `graph-crm serve` under uvicorn on a loopback port."""

from __future__ import annotations

import contextlib
import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.api.graphql import DEFINE_ENTITY_TYPE, ENTITY, UPSERT
from tests.api.scenario import run_scenario


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(base: str, server: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, "the server exited early"
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("the server did not become healthy")


def cli_key(db: Path, role: str = "admin", name: str = "uvicorn-tests") -> dict[str, str]:
    """Headers with a key of ``role`` made by `graph-crm keys create` in the database ``db``."""
    made = subprocess.run(
        [sys.executable, "-m", "graph_crm.cli", "keys", "create", "--role", role, "--json",
         "--name", name, "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    return {"Authorization": f"Bearer {json.loads(made.stdout)['token']}"}


def admin_key(tmp_path: Path) -> dict[str, str]:
    """Headers with an admin key in the server's database (``tmp_path``/api.db)."""
    return cli_key(tmp_path / "api.db")


@contextlib.contextmanager
def serving(tmp_path: Path, *options: str) -> Iterator[str]:
    """`graph-crm serve` on a free loopback port: its base URL; stopped cleanly after."""
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "graph_crm.cli",
                "serve",
                "--port",
                str(port),
                "--db",
                str(tmp_path / "api.db"),
                *options,
            ],
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)
    # uvicorn shuts down gracefully (the lifespan closes the store), then re-raises SIGTERM.
    assert server.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in log.read_text(encoding="utf-8")


def test_serve_answers_graphql_over_a_real_socket(tmp_path: Path) -> None:
    headers = admin_key(tmp_path)
    with serving(tmp_path) as base:
        health = httpx.get(f"{base}/healthz").json()
        assert health == {"status": "ok", "backend": "embedded", "registryVersion": 0}
        refused = httpx.post(f"{base}/graphql", json={"query": "{ schemaVersion }"})
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
        with httpx.Client(base_url=base, timeout=10, headers=headers) as http:
            defined = http.post(
                "/graphql",
                json={
                    "query": DEFINE_ENTITY_TYPE,
                    "variables": {
                        "input": {
                            "name": "CustomsBroker",
                            "properties": [{"name": "name", "kind": "STRING", "required": True}],
                        }
                    },
                },
            ).json()
            assert defined["data"]["defineEntityType"]["schemaVersion"] == 1
            written = http.post(
                "/graphql",
                json={
                    "query": UPSERT,
                    "variables": {
                        "type": "CustomsBroker",
                        "records": [{"key": "CB-1", "name": "鹿特丹报关行"}],
                    },
                },
            ).json()
            assert written["data"]["upsertEntities"]["created"] == 1
            found = http.post(
                "/graphql", json={"query": ENTITY, "variables": {"id": "CustomsBroker:CB-1"}}
            ).json()
            assert found["data"]["entity"]["properties"] == {"name": "鹿特丹报关行"}


async def test_the_scenario_over_a_real_socket(tmp_path: Path) -> None:
    headers = admin_key(tmp_path)
    with serving(tmp_path) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers) as client:
            await run_scenario(client)


def test_every_worker_process_serves_a_type_another_one_defined(tmp_path: Path) -> None:
    warehouse = {"name": "Warehouse", "properties": [{"name": "city", "kind": "STRING"}]}
    headers = admin_key(tmp_path)
    with serving(tmp_path, "--workers", "2") as base:
        defined = httpx.post(
            f"{base}/graphql",
            json={"query": DEFINE_ENTITY_TYPE, "variables": {"input": warehouse}},
            headers=headers,
        ).json()
        assert defined["data"]["defineEntityType"]["schemaVersion"] == 1
        # A new connection each time, so the kernel spreads them over both workers.
        for _ in range(12):
            answer = httpx.post(
                f"{base}/graphql", json={"query": "{ warehouses { totalCount } }"}, headers=headers
            ).json()
            assert answer == {"data": {"warehouses": {"totalCount": 0}}}
