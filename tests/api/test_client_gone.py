"""A real server (uvicorn) on each backend: a client that leaves has its work stopped,
a store call over its role's time budget answers TIMEOUT and writes nothing, and a slow
read does not hold up health checks, key checks or other reads."""

from __future__ import annotations

import asyncio
import json
import select
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_crm.auth.roles import Role
from graph_crm.services.api_keys import create_key
from graph_crm.settings import Settings
from graph_crm.store import open_store
from tests.api.raw_http import connect, graphql_post
from tests.api.slow_read import load_notes, slow_request
from tests.faults.processes import ApiProcess
from tests.neo4j_env import Neo4jTarget, reset_database

PARCEL = {"name": "Parcel", "properties": [{"name": "weight", "kind": "FLOAT"}]}
#: A batch that takes the store seconds to write: the client leaves long before.
ROWS = 100_000


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    if backend == "embedded":
        return Settings(db_path=str(tmp_path / "api.db"))
    target: Neo4jTarget = request.getfixturevalue("neo4j_target")
    asyncio.run(reset_database(target))
    return Settings(backend="neo4j", neo4j_uri=target.uri)


async def _prepare(settings: Settings) -> dict[Role, str]:
    store = await open_store(settings)
    try:
        await store.define_entity_type(PARCEL)
        return {
            role: await create_key(store, f"gone-{role.value}", role, actor="tests")
            for role in (Role.INTEGRATION, Role.ANALYST, Role.ADMIN)
        }
    finally:
        await store.close()


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[tuple[ApiProcess, dict[Role, str]]]:
    keys = asyncio.run(_prepare(settings))
    env = {
        **settings.to_env(),
        # the analyst's budget is all but spent before any store call starts
        "GRAPH_CRM_BUDGET_SECONDS_ANALYST": "0.000001",
        "GRAPH_CRM_BUDGET_SECONDS_INTEGRATION": "600",
    }
    process = ApiProcess(tmp_path / "server.log", [], env)
    process.start()
    try:
        yield process, keys
    finally:
        process.stop()


def _count_parcels(base: str, token: str) -> dict[str, Any]:
    """The answer to a count of the parcels, asked with ``token``."""
    answer: dict[str, Any] = httpx.post(
        f"{base}/graphql",
        json={"query": '{ entities(type: "Parcel", first: 1) { totalCount } }'},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    return answer


def _parcels(base: str, token: str) -> int:
    count: int = _count_parcels(base, token)["data"]["entities"]["totalCount"]
    return count


def _access_lines(process: ApiProcess) -> list[dict[str, object]]:
    lines = []
    for line in process.log_text().splitlines():
        if line.startswith('{"at":'):
            lines.append(json.loads(line))
    return lines


def _client_gone(process: ApiProcess) -> list[dict[str, object]]:
    """The access lines of requests whose client left, once there is one (30 s at most)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        gone = [line for line in _access_lines(process) if line["code"] == "CLIENT_GONE"]
        if gone:
            return gone
        time.sleep(0.1)
    raise AssertionError(f"no CLIENT_GONE line:\n{process.log_text()[-3000:]}")


def test_a_client_that_leaves_mid_write_has_it_stopped_and_nothing_lands(
    server: tuple[ApiProcess, dict[Role, str]],
) -> None:
    process, keys = server
    records = [{"key": f"P{index:06d}", "weight": index / 10} for index in range(ROWS)]
    body = json.dumps(
        {
            "query": 'mutation Big($records: [JSON!]!) { upsertEntities(type: "Parcel", '
            "records: $records) { __typename } }",
            "variables": {"records": records},
        }
    ).encode()
    with connect(process.port) as sock:
        sock.sendall(graphql_post(keys[Role.INTEGRATION], body))
        time.sleep(0.3)
    # The server notices, cancels the operation and its store call, and logs it.
    gone = _client_gone(process)
    assert gone[0]["operation"] == "Big"
    assert gone[0]["fields"] == ["upsertEntities"]
    # all or nothing: the batch was stopped before it committed, so nothing landed
    assert _parcels(process.base, keys[Role.ADMIN]) == 0
    assert httpx.get(f"{process.base}/healthz").status_code == 200


def test_a_call_over_its_roles_budget_answers_timeout(
    server: tuple[ApiProcess, dict[Role, str]],
) -> None:
    process, keys = server
    answer = _count_parcels(process.base, keys[Role.ANALYST])
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert error["path"] == ["entities"]
    assert "budget" in error["message"]
    # the key check and the schema come before the budget; other roles are unaffected
    assert _parcels(process.base, keys[Role.ADMIN]) == 0
    [line] = [x for x in _access_lines(process) if x["code"] == "TIMEOUT"]
    assert line["role"] == "analyst"


def test_a_compiled_query_over_its_roles_budget_answers_timeout(
    server: tuple[ApiProcess, dict[Role, str]],
) -> None:
    # a typed query is answered by one store read (api/compiled/): under the same budget
    process, keys = server
    answer = httpx.post(
        f"{process.base}/graphql",
        json={"query": "{ parcels(first: 1) { totalCount } }"},
        headers={"Authorization": f"Bearer {keys[Role.ANALYST]}"},
        timeout=30,
    ).json()
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"]["code"] == "TIMEOUT"
    assert error["path"] == ["parcels"]
    assert "budget" in error["message"]
    admin = httpx.post(
        f"{process.base}/graphql",
        json={"query": "{ parcels(first: 1) { totalCount } }"},
        headers={"Authorization": f"Bearer {keys[Role.ADMIN]}"},
        timeout=30,
    ).json()
    assert admin == {"data": {"parcels": {"totalCount": 0}}}
    # a request's line is written once its response is sent: the last may lag the answer
    deadline = time.monotonic() + 10
    while len(lines := [x for x in _access_lines(process) if x["fields"] == ["parcels"]]) < 2:
        assert time.monotonic() < deadline, lines
        time.sleep(0.05)
    assert [(x["role"], x["code"], x["compiled"]) for x in lines] == [
        ("analyst", "TIMEOUT", False),
        ("admin", None, True),
    ]


async def _load_notes(settings: Settings) -> None:
    store = await open_store(settings)
    try:
        await load_notes(store)
    finally:
        await store.close()


def test_others_are_served_while_one_read_is_slow_and_a_leaving_client_stops_it(
    server: tuple[ApiProcess, dict[Role, str]], settings: Settings
) -> None:
    process, keys = server
    asyncio.run(_load_notes(settings))
    with connect(process.port) as sock:
        sock.sendall(graphql_post(keys[Role.INTEGRATION], slow_request()))
        time.sleep(0.5)
        # while it scans, health, key checks and other reads answer
        for _ in range(3):
            assert httpx.get(f"{process.base}/healthz", timeout=30).status_code == 200
            assert _parcels(process.base, keys[Role.ADMIN]) == 0
        readable, _, _ = select.select([sock], [], [], 0)
        assert not readable, "the slow read answered before the others were served"
    assert _client_gone(process)[0]["operation"] == "Slow"
