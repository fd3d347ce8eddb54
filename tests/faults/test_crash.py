"""SIGKILL in the middle of a large batch: the batch is all there or not at all.

A real `graph-crm serve` (embedded, and over Neo4j) gets one batch upsert of tens of
thousands of rows in one HTTP request and is killed while it writes it; the moment is
chosen by watching the write itself (the SQLite write lock is held; Neo4j runs the
batch's ``UNWIND``), at the write's start, halfway through it and as it ends, and once
right after the answer. Then Neo4j itself is killed in the middle of a batch. After
each restart the batch is entirely there or entirely absent, row for row, the store
opens cleanly and a re-run of the batch is an idempotent success. `graph-crm import`
promises atomic batches, not one transaction: killed mid-import, it leaves whole ones.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_crm.auth.roles import Role
from graph_crm.errors import StoreUnavailable
from graph_crm.services.api_keys import create_key
from graph_crm.services.transfer import BATCH, export_graph
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from graph_crm.store.neo4j.store import Neo4jStore
from tests.api.graphql import ENTITIES, LINK, TRAVERSE, UPSERT
from tests.faults.crm import (
    BASE,
    CUSTOMER,
    assert_all_or_nothing,
    batch,
    batch_in_store,
    define_and_load_base,
    links,
)
from tests.faults.processes import ApiProcess, KillSwitch, Landing
from tests.faults.watch import (
    assert_neo4j_intact,
    integrity,
    linked_subsidiaries,
    neo4j_admin,
    neo4j_writing,
    relation_count,
    sqlite_writing,
    wait_until_no_batch_runs,
)
from tests.neo4j_env import Neo4jTarget, open_neo4j_store, reset_database
from tools.neo4j_local import LocalNeo4j, die_with_parent

pytestmark = pytest.mark.faults

EMBEDDED_ROWS = 30_000  # ~4 MB of JSON: one request, under the integration role's 8 MiB
NEO4J_ROWS = 20_000
LINK_ROWS = 20_000


def _body(query: str, **variables: Any) -> bytes:
    return json.dumps({"query": query, "variables": variables}, ensure_ascii=False).encode()


async def _post(base: str, headers: dict[str, str], body: bytes) -> dict[str, Any] | None:
    """The answer to a request, or None if the server died before it answered."""
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        try:
            response = await http.post(
                "/graphql", content=body, headers={**headers, "content-type": "application/json"}
            )
        except httpx.TransportError:
            return None
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def _query(base: str, headers: dict[str, str], query: str, **variables: Any) -> Any:
    answer = await _post(base, headers, _body(query, **variables))
    assert answer is not None, "the server died"
    assert "errors" not in answer, answer
    return answer["data"]


def _written(answer: dict[str, Any] | None, field: str) -> dict[str, Any]:
    assert answer is not None, "the server died"
    result: dict[str, Any] = answer["data"][field]
    assert result["__typename"] == "WritePayload", result
    return result


async def _killed_during(
    server: ApiProcess, headers: dict[str, str], body: bytes, switch: KillSwitch
) -> Landing:
    with switch:
        answer = await _post(server.base, headers, body)
    landing = switch.wait()
    assert answer is None or landing.killed_at, answer
    server.kill()
    return landing


async def _batch_count(server: ApiProcess, headers: dict[str, str], number: int) -> int:
    page = await _query(
        server.base,
        headers,
        ENTITIES,
        type="Customer",
        where={"batch": {"eq": number}},
        first=1,
    )
    return int(page["entities"]["totalCount"])


async def _check_batch(
    store: GraphStore, server: ApiProcess, headers: dict[str, str], number: int, rows: list[Any]
) -> bool:
    """All or nothing in the store, the server agrees, and a re-run is idempotent."""
    present = assert_all_or_nothing(await batch_in_store(store, rows), rows)
    assert await _batch_count(server, headers, number) == (len(rows) if present else 0)
    rerun = _written(
        await _post(server.base, headers, _body(UPSERT, type="Customer", records=rows)),
        "upsertEntities",
    )
    assert rerun["created"] == (0 if present else len(rows)), rerun
    assert rerun["unchanged"] == (len(rows) if present else 0), rerun
    assert await _batch_count(server, headers, number) == len(rows)
    return present


async def _check_mirror(db: Path, server: ApiProcess, headers: dict[str, str]) -> None:
    """The restarted server's traversals (networkx mirror) match what SQLite holds."""
    keys = [f"B0-{row:05d}" for row in range(0, BASE, 7)]
    keys += [f"B1-{row:05d}" for row in range(0, LINK_ROWS, 97)]
    walked = await _query(
        server.base,
        headers,
        TRAVERSE,
        **{"from": [f"Customer:{key}" for key in keys]},
        steps=[{"relation": "HAS_SUBSIDIARY", "direction": "OUT"}],
    )
    reached = {entity["id"] for entity in walked["traverse"]["reached"]}
    assert reached == linked_subsidiaries(db, keys)
    assert reached  # the base links at least


async def _kill_at_each_point(
    server: ApiProcess,
    headers: dict[str, str],
    writing: Callable[[], bool],
    rows: int,
    check: Callable[[int, list[Any]], Awaitable[bool]],
    *,
    end: str,
) -> tuple[dict[str, bool], float, dict[str, Landing]]:
    """Batches of ``rows`` killed right after their answer, then as the write starts,
    halfway through it and as it ends (``end`` names the last point): whether each batch
    was there after the restart (``check``), how long the write took, and where each
    kill inside a write landed."""
    outcomes: dict[str, bool] = {}
    # Acknowledged, then killed at once: it must have been made durable.
    first = batch(1, rows)
    timing = KillSwitch(writing, lambda: None, at_end=True)
    with timing:
        answered = await _post(server.base, headers, _body(UPSERT, type="Customer", records=first))
    assert _written(answered, "upsertEntities")["created"] == rows
    server.kill()
    window = timing.wait().killed_at - timing.landing.seen_at
    outcomes["after the answer"] = await check(1, first)

    def kill() -> None:
        os.kill(server.pid, signal.SIGKILL)

    points: dict[str, dict[str, Any]] = {
        "as the write starts": {"delay": 0.0},
        "halfway through the write": {"delay": window / 2},
        end: {"at_end": True},
    }
    landings: dict[str, Landing] = {}
    for number, (name, when) in enumerate(points.items(), start=2):
        these = batch(number, rows)
        body = _body(UPSERT, type="Customer", records=these)
        landings[name] = await _killed_during(
            server, headers, body, KillSwitch(writing, kill, **when)
        )
        outcomes[name] = await check(number, these)
    return outcomes, window, landings


async def test_sigkill_of_the_embedded_server_mid_batch(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    store = await EmbeddedStore.open(db)
    try:
        await define_and_load_base(store)
        headers = {
            "Authorization": "Bearer "
            + await create_key(store, "faults", Role.INTEGRATION, actor="faults")
        }
    finally:
        await store.close()
    server = ApiProcess(tmp_path / "server.log", ["--db", str(db)])
    server.start()
    try:
        with sqlite_writing(db) as writing:

            async def check(number: int, rows: list[Any]) -> bool:
                server.start()
                assert integrity(db) == ("ok", 0)
                reopened = await EmbeddedStore.open(db)
                try:
                    present = await _check_batch(reopened, server, headers, number, rows)
                finally:
                    await reopened.close()
                await _check_mirror(db, server, headers)
                return present

            outcomes, window, _ = await _kill_at_each_point(
                server, headers, writing, EMBEDDED_ROWS, check, end="as the commit ends"
            )
            kill = lambda: os.kill(server.pid, signal.SIGKILL)  # noqa: E731

            # A batch of links, killed as its write starts: all there or none, and the
            # mirror the restarted server traverses agrees with SQLite.
            body = _body(LINK, relation="HAS_SUBSIDIARY", links=links(1, LINK_ROWS))
            await _killed_during(server, headers, body, KillSwitch(writing, kill))
            server.start()
            assert integrity(db) == ("ok", 0)
            assert relation_count(db) in (BASE, BASE + LINK_ROWS)
            await _check_mirror(db, server, headers)
            relinked = _written(await _post(server.base, headers, body), "linkEntities")
            assert relinked["created"] + relinked["unchanged"] == LINK_ROWS
            assert relation_count(db) == BASE + LINK_ROWS
            await _check_mirror(db, server, headers)
    finally:
        server.kill()
    print(f"embedded: write lock held {window:.2f} s for {EMBEDDED_ROWS} rows; {outcomes}")
    assert outcomes["after the answer"]
    assert outcomes["as the commit ends"]
    # At least one kill landed inside the transaction and left nothing behind.
    assert not (outcomes["as the write starts"] and outcomes["halfway through the write"])


@pytest.mark.neo4j
async def test_sigkill_of_the_server_over_neo4j_mid_batch(
    tmp_path: Path, neo4j_target: Neo4jTarget
) -> None:
    await reset_database(neo4j_target)
    store = await open_neo4j_store(neo4j_target)
    try:
        await define_and_load_base(store)
        headers = {
            "Authorization": "Bearer "
            + await create_key(store, "faults", Role.INTEGRATION, actor="faults")
        }
        server = ApiProcess(
            tmp_path / "server.log",
            ["--backend", "neo4j", "--neo4j-uri", neo4j_target.uri],
            {
                "GRAPH_CRM_NEO4J_USER": neo4j_target.user,
                "GRAPH_CRM_NEO4J_PASSWORD": neo4j_target.password,
                "GRAPH_CRM_NEO4J_DATABASE": neo4j_target.database,
            },
        )
        server.start()
        with neo4j_admin(neo4j_target.uri) as admin:
            writing = neo4j_writing(admin)

            async def check(number: int, rows: list[Any]) -> bool:
                wait_until_no_batch_runs(admin)
                server.start()
                assert_neo4j_intact(admin)
                return await _check_batch(store, server, headers, number, rows)

            try:
                outcomes, window, landings = await _kill_at_each_point(
                    server, headers, writing, NEO4J_ROWS, check, end="as the statement ends"
                )
                # Killed while the statement ran: the client never asked for a commit.
                for name, landing in landings.items():
                    assert not (landing.still_writing and outcomes[name]), name
            finally:
                server.kill()
    finally:
        await store.close()
    print(f"neo4j: batch statement ran {window:.2f} s for {NEO4J_ROWS} rows; {outcomes}")
    assert outcomes["after the answer"]
    assert not (outcomes["as the write starts"] and outcomes["halfway through the write"])


@pytest.mark.neo4j
async def test_sigkill_of_neo4j_mid_batch(victim: LocalNeo4j) -> None:
    store = await Neo4jStore.open(victim.uri)
    try:
        await define_and_load_base(store)
        with neo4j_admin(victim.uri) as admin:
            # Killed 0.1 s into the batch statement.
            rows = batch(1, NEO4J_ROWS)
            with KillSwitch(neo4j_writing(admin), victim.kill, delay=0.1) as switch:
                try:
                    await store.upsert_entities("Customer", rows)
                    answered = True
                except StoreUnavailable:
                    answered = False
                failed_at = time.monotonic()
            landing = switch.wait()
            # The write in flight learns at once that the server is gone.
            assert answered or failed_at - landing.killed_at < 5
            victim.restart()  # same home and port: Neo4j recovers from its log
            assert_neo4j_intact(admin)
            reopened = await Neo4jStore.open(victim.uri)
            try:
                present = assert_all_or_nothing(await batch_in_store(reopened, rows), rows)
            finally:
                await reopened.close()
            if answered:  # acknowledged: durable
                assert present
            if landing.still_writing:  # killed while the statement ran: never committed
                assert not present
                assert not answered
            # The store that was open all along serves again; the re-run is idempotent.
            rerun = await store.upsert_entities("Customer", rows)
            assert (rerun.created, rerun.unchanged) == (
                (0, len(rows)) if present else (len(rows), 0)
            )

            # Acknowledged, then Neo4j is killed: recovery brings the batch back whole.
            rows = batch(2, NEO4J_ROWS)
            assert (await store.upsert_entities("Customer", rows)).created == NEO4J_ROWS
            victim.kill()
            victim.restart()
            assert_neo4j_intact(admin)
            assert assert_all_or_nothing(await batch_in_store(store, rows), rows)
            counts = await store.counts()
            assert counts.entities["Customer"] == BASE + 2 * NEO4J_ROWS
    finally:
        await store.close()
    print(f"neo4j killed {landing.killed_at - landing.seen_at:.2f} s into a batch: {present=}")


async def test_sigkill_of_an_import_leaves_whole_batches(tmp_path: Path) -> None:
    rows = batch(1, 3 * BATCH)
    source = await EmbeddedStore.open(tmp_path / "source.db")
    try:
        await source.define_entity_type(CUSTOMER, actor="faults")
        await source.upsert_entities("Customer", rows)
        with (tmp_path / "graph.jsonl").open("w", encoding="utf-8") as out:
            await export_graph(source, out)
        registry = await source.registry()
    finally:
        await source.close()
    target = tmp_path / "target.db"
    await (await EmbeddedStore.open(target)).close()  # an empty store, already in WAL mode
    with (
        sqlite_writing(target) as writing,
        contextlib.closing(sqlite3.connect(target, check_same_thread=False)) as reader,
    ):

        def second_batch_writing() -> bool:
            committed = reader.execute("SELECT count(*) FROM entities").fetchone()[0]
            return bool(committed >= BATCH and writing())

        importing = subprocess.Popen(
            [sys.executable, "-m", "graph_crm.cli", "import", str(tmp_path / "graph.jsonl")]
            + ["--db", str(target), "--quiet"],
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        try:
            with KillSwitch(second_batch_writing, importing.kill) as switch:
                importing.wait(120)
            switch.wait()
        finally:
            importing.kill()
            importing.wait()
    assert importing.returncode == -signal.SIGKILL
    assert integrity(target) == ("ok", 0)
    store = await EmbeddedStore.open(target)
    try:
        assert await store.registry() == registry
        found = await batch_in_store(store, rows)
    finally:
        await store.close()
    # Whole batches only: the first one, maybe the second, never a part of one.
    print(f"import killed in its second batch: {len(found)} of {len(rows)} rows stored")
    assert len(found) in (BATCH, 2 * BATCH), len(found)
    sent = {row["key"]: row for row in rows}
    assert_all_or_nothing(found, [sent[entity.key] for entity in found])
