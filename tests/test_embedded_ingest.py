"""The embedded store's batch writes tell new rows from stored ones: a link batch inserts
every row in one statement that finds both ends by key (``json_each`` over the batch) and
reads the stored ones back only when some were stored already or an end is missing, and
new entities' ids are read as the range after the highest. These check the counts, the
audit record, the refusals and the mirror on both sides of that, including next to the
highest row id, where SQLite picks new ids at random."""

from __future__ import annotations

import contextlib
import gc
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from graph_crm.errors import NotFound
from graph_crm.store.embedded.mirror import Mirror
from graph_crm.store.embedded.store import EmbeddedStore
from tests.contract.crm import CHAIN, load_chain

HIGHEST_ROWID = 2**63 - 1
STAMP = "2026-01-01T00:00:00.000000Z"


def _mirror_matches_sqlite(store: EmbeddedStore, path: Path) -> None:
    mirror = store.session.db.mirrors.mirror
    assert mirror is not None
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        truth = Mirror.load(conn, mirror.generation)
    assert {n: mirror.gid(n) for n in mirror.graph} == {n: truth.gid(n) for n in truth.graph}
    assert sorted(mirror.graph.edges(keys=True)) == sorted(truth.graph.edges(keys=True))
    assert mirror.edges == truth.edges


@pytest.fixture
async def chain(tmp_path: Path) -> AsyncIterator[EmbeddedStore]:
    """The contract's chain and a Competitor HOOLI in a store at ``tmp_path/crm.db``,
    its mirror built."""
    store = await EmbeddedStore.open(tmp_path / "crm.db")
    try:
        await load_chain(store)
        await store.upsert_entities("Competitor", [{"key": "HOOLI", "name": "Hooli"}])
        await store.traverse(["Customer:ACME"], CHAIN)
        yield store
    finally:
        await store.close()


@pytest.mark.parametrize("first", ["new", "stored"])
async def test_a_link_batch_of_new_changed_and_unchanged_relations_is_told_apart(
    chain: EmbeddedStore, tmp_path: Path, first: str
) -> None:
    """A batch led by a new link is inserted first and read back; one led by a stored
    link is read first (a re-run, most likely)."""
    store, path = chain, tmp_path / "crm.db"
    batch: list[dict[str, Any]] = [
        {"from": "L1", "to": "HOOLI", "properties": {"sentiment": "NEGATIVE"}},  # new
        {"from": "L1", "to": "GLOBEX", "properties": {"sentiment": "POSITIVE"}},
        {"from": "L2", "to": "INITECH"},  # stored, unchanged
    ]
    if first == "stored":
        batch.reverse()
    result = await store.write_batch({}, {"MENTIONS": batch}, actor="loader")
    linked = result.linked["MENTIONS"]
    assert (linked.created, linked.updated, linked.unchanged) == (1, 1, 1)
    (record,) = (await store.audit_log(actor="loader")).items
    assert sorted(record.ids) == [
        "MENTIONS:ChatLog:L1->Competitor:GLOBEX",
        "MENTIONS:ChatLog:L1->Competitor:HOOLI",
    ]
    _mirror_matches_sqlite(store, path)
    reached = await store.traverse(["Customer:ACME"], CHAIN)
    assert "Competitor:HOOLI" in [e.id for e in reached.reached]


async def test_writes_next_to_the_highest_row_id_are_counted_and_mirrored(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crm.db"
    store = await EmbeddedStore.open(path)
    try:
        await load_chain(store)
    finally:
        await store.close()
    with (
        contextlib.closing(sqlite3.connect(path)) as conn,
        conn,
    ):  # as another process could have left it
        conn.execute(
            "INSERT INTO entities (id, type, key, props, rev, created_at, updated_at) "
            "VALUES (?, 'Competitor', 'TOP', '{\"name\":\"Top\"}', '-', ?, ?)",
            (HIGHEST_ROWID, STAMP, STAMP),
        )
        (l1,) = conn.execute("SELECT id FROM entities WHERE key = 'L1'").fetchone()
        conn.execute(
            "INSERT INTO relations (id, type, from_id, to_id, props, rev, created_at, "
            "updated_at) VALUES (?, 'MENTIONS', ?, ?, '{}', '-', ?, ?)",
            (HIGHEST_ROWID, l1, HIGHEST_ROWID, STAMP, STAMP),
        )
        conn.execute("UPDATE meta SET value = value + 1 WHERE name = 'generation'")

    store = await EmbeddedStore.open(path)
    try:
        await store.traverse(["Customer:ACME"], CHAIN)  # the mirror is built
        new = [{"key": f"C{i}", "name": f"Rival {i}"} for i in range(20)]
        written = await store.upsert_entities("Competitor", new)
        assert written.created == 20
        result = await store.write_batch(
            {},
            {
                "MENTIONS": [
                    *({"from": "L2", "to": f"C{i}"} for i in range(20)),
                    {"from": "L1", "to": "TOP"},  # stored, with another revision
                    {"from": "L2", "to": "INITECH"},  # stored, unchanged
                ]
            },
        )
        linked = result.linked["MENTIONS"]
        assert (linked.created, linked.updated, linked.unchanged) == (20, 1, 1)
        _mirror_matches_sqlite(store, path)
        reached = {e.id for e in (await store.traverse(["Customer:ACME"], CHAIN)).reached}
        assert {f"Competitor:C{i}" for i in range(20)} | {"Competitor:TOP"} <= reached
    finally:
        await store.close()


@pytest.mark.parametrize("running", [True, False])
async def test_a_batch_leaves_the_garbage_collector_as_it_found_it(
    tmp_path: Path, running: bool
) -> None:
    store = await EmbeddedStore.open(tmp_path / "crm.db")
    try:
        await load_chain(store)
        if not running:
            gc.disable()
        after: list[bool] = []
        with pytest.raises(NotFound):  # refused while writing: the pause ends all the same
            await store.write_batch(
                {"Competitor": [{"key": "X", "name": "X"}]},
                {"MENTIONS": [{"from": "L1", "to": "NOBODY"}]},
            )
        after.append(gc.isenabled())
        await store.write_batch({"Competitor": [{"key": "Y", "name": "Y"}]})
        after.append(gc.isenabled())
        assert after == [running, running]
    finally:
        gc.enable()
        await store.close()


#: Keys and values that JSON escapes, as the one-statement insert reads them back
#: out of its batch's JSON text (``json_each``).
ESCAPED = ['Q"uote', "back\\slash", "pct%>arrow", "Ünï 中文", "[1, 2]", "emoji 🦆", "tab\tin"]


async def test_new_links_whose_keys_and_values_json_escapes_are_stored_as_sent(
    chain: EmbeddedStore, tmp_path: Path
) -> None:
    store = chain
    await store.define_relation_type(
        {
            "name": "NOTED",
            "from": "Competitor",
            "to": "Competitor",
            "properties": [{"name": "note", "kind": "STRING"}],
        }
    )
    keys = [key for key in ESCAPED if "\t" not in key]  # a key refuses controls
    await store.upsert_entities("Competitor", [{"key": k, "name": k} for k in keys])
    await store.traverse(["Customer:ACME"], CHAIN)  # the mirror, rebuilt after the definition
    links = [
        {"from": a, "to": b, "properties": {"note": f"{a} -> {b} {ESCAPED[-1]}"}}
        for a, b in zip(keys, [*keys[1:], keys[0]], strict=True)
    ]
    linked = await store.write_batch({}, {"NOTED": links}, actor="loader")
    assert linked.linked["NOTED"].created == len(links)
    _mirror_matches_sqlite(store, tmp_path / "crm.db")
    ends = [{"from": ln["from"], "to": ln["to"]} for ln in links]
    stored = await store.get_relations("NOTED", ends)
    assert [(r.from_id, r.to_id, r.properties) for r in stored if r is not None] == [
        (f"Competitor:{ln['from']}", f"Competitor:{ln['to']}", ln["properties"]) for ln in links
    ]
    (record,) = (await store.audit_log(actor="loader")).items
    assert len(record.ids) == len(links)
    again = await store.link("NOTED", links)  # the stored revisions match
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(links))


async def test_a_missing_or_mistyped_end_after_new_links_refuses_the_whole_batch(
    chain: EmbeddedStore, tmp_path: Path
) -> None:
    """The new links inserted before the refusal are not kept; every missing end is
    named at its row, as the ends looked up one by one name them."""
    store = chain
    before = await store.list_relations("MENTIONS", first=1000)
    batch = [
        {"from": "L1", "to": "HOOLI"},  # new
        {"from": "L2", "to": "HOOLI"},  # new
        {"from": "L2", "to": "NOBODY"},  # no such entity
        {"from": "L1", "to": "ACME"},  # a Customer, not a Competitor
    ]
    with pytest.raises(NotFound) as refused:
        await store.link("MENTIONS", batch, actor="loader")
    assert [issue.path for issue in refused.value.issues] == [
        ("links", 2, "to"),
        ("links", 3, "to"),
    ]
    with pytest.raises(NotFound) as rooted:
        await store.write_batch({}, {"MENTIONS": batch}, actor="loader")
    assert rooted.value.path == ("links", "MENTIONS", 2, "to")
    after = await store.list_relations("MENTIONS", first=1000)
    assert after.items == before.items
    assert (await store.audit_log(actor="loader")).items == []
    _mirror_matches_sqlite(store, tmp_path / "crm.db")
