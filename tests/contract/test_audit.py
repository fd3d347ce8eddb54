"""The audit log: every change recorded with who, when and what, alike on every backend."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from graph_crm.auth.keys import ApiKey
from graph_crm.auth.roles import Role
from graph_crm.clock import utc_now
from graph_crm.errors import InvalidInput, NotFound, UniqueViolation
from graph_crm.model.audit import AuditRecord, audit_cursor
from graph_crm.services.transfer import export_graph, import_graph
from graph_crm.store.base import GraphStore
from graph_crm.store.embedded.store import EmbeddedStore
from tests.contract.audit_log import everything
from tests.contract.crm import CUSTOMER, SUBSIDIARY, define_crm, load_chain
from tests.contract.snapshot import snapshot

LINK = "HAS_SUBSIDIARY"


async def latest(store: GraphStore) -> AuditRecord:
    return (await everything(store))[-1]


def shape(record: AuditRecord) -> tuple[str, str, str, str | None]:
    return record.actor, record.action.value, record.kind.value, record.type_name


async def test_definition_changes_carry_before_and_after(store: GraphStore) -> None:
    started = utc_now()
    await store.define_entity_type(CUSTOMER, actor="officer-a")
    widened = {**CUSTOMER, "description": "Anyone who pays"}
    await store.alter_entity_type(widened, actor="officer-b")
    await store.define_entity_type(SUBSIDIARY, actor="officer-a")
    await store.define_relation_type({"name": LINK, "from": "Customer", "to": "Subsidiary"})
    await store.drop_relation_type(LINK, actor="officer-b")
    records = await everything(store)
    assert [shape(r) for r in records] == [
        ("officer-a", "define", "entityType", "Customer"),
        ("officer-b", "alter", "entityType", "Customer"),
        ("officer-a", "define", "entityType", "Subsidiary"),
        ("system", "define", "relationType", LINK),
        ("officer-b", "drop", "relationType", LINK),
    ]
    define, alter, *_, drop = records
    assert define.before is None
    assert define.after is not None
    assert define.after["name"] == "Customer"
    assert alter.before == define.after
    assert alter.after is not None
    assert alter.after["description"] == "Anyone who pays"
    assert drop.before is not None
    assert drop.before["from"] == "Customer"
    assert drop.after is None
    assert [r.summary["version"] for r in records] == [1, 2, 3, 4, 5]
    # the same changes as the registry's history, in the same order
    changes = await store.registry_changes()
    assert [(c.actor, c.at, c.before, c.after) for c in changes] == [
        (r.actor, r.at, r.before, r.after) for r in records
    ]
    assert all(started <= r.at <= utc_now() and r.at.tzinfo is not None for r in records)
    assert all(r.ids == () for r in records)


async def test_each_data_write_records_who_when_and_what(store: GraphStore) -> None:
    await define_crm(store)
    before = len(await everything(store))
    started = utc_now()
    rows = [{"key": "ACME", "name": "Acme"}, {"key": "BETA", "name": "Beta"}]
    await store.upsert_entities("Customer", rows, actor="loader")
    await store.upsert_entities("Subsidiary", [{"key": "ACME-SH", "name": "SH"}], actor="loader")
    upserted = (await everything(store))[before]
    assert shape(upserted) == ("loader", "upsert", "entity", "Customer")
    assert upserted.ids == ("Customer:ACME", "Customer:BETA")
    assert upserted.summary == {"created": 2, "updated": 0, "unchanged": 0}
    assert started <= upserted.at <= utc_now()

    changed = [{"key": "ACME", "name": "Acme Ltd"}, {"key": "BETA", "name": "Beta"}]
    await store.upsert_entities("Customer", changed, actor="sync")
    record = await latest(store)
    assert shape(record) == ("sync", "upsert", "entity", "Customer")
    assert record.ids == ("Customer:ACME",)  # the unchanged row is only counted
    assert record.summary == {"created": 0, "updated": 1, "unchanged": 1}

    link = [{"from": "ACME", "to": "ACME-SH", "properties": {"share": 1.0}}]
    await store.link(LINK, link, actor="linker")
    record = await latest(store)
    assert shape(record) == ("linker", "link", "relation", LINK)
    assert record.ids == ("HAS_SUBSIDIARY:Customer:ACME->Subsidiary:ACME-SH",)
    assert record.summary == {"created": 1, "updated": 0, "unchanged": 0}
    await store.link(LINK, [{**link[0], "properties": {"share": 0.5}}], actor="linker")
    assert (await latest(store)).summary == {"created": 0, "updated": 1, "unchanged": 0}

    removed = await store.unlink(LINK, [{"from": "ACME", "to": "ACME-SH"}], actor="pruner")
    assert removed == 1
    record = await latest(store)
    assert shape(record) == ("pruner", "unlink", "relation", LINK)
    assert record.ids == ("HAS_SUBSIDIARY:Customer:ACME->Subsidiary:ACME-SH",)
    assert record.summary == {"removed": 1}

    await store.link(LINK, link)
    ids = ["Customer:ACME", "Subsidiary:ACME-SH", "Customer:NOBODY", "Nope:X"]
    await store.delete_entities(ids, actor="cleaner")
    # one transaction, one time: records of the same instant are ordered by their ids
    first, second = sorted((await everything(store))[-2:], key=lambda r: str(r.type_name))
    # one record per type, naming what existed; relations removed with them are counted
    assert [shape(first), shape(second)] == [
        ("cleaner", "delete", "entity", "Customer"),
        ("cleaner", "delete", "entity", "Subsidiary"),
    ]
    assert (first.ids, second.ids) == (("Customer:ACME",), ("Subsidiary:ACME-SH",))
    assert first.summary == {"entities": 1, "relations": 1}
    assert second.summary == {"entities": 1, "relations": 0}
    assert first.at == second.at


async def test_a_write_that_changes_nothing_leaves_no_record(store: GraphStore) -> None:
    await load_chain(store)
    before = await everything(store)
    await store.upsert_entities("Buyer", [{"key": "B1", "name": "王伟"}], actor="again")
    await store.upsert_entities("Buyer", [], actor="again")
    await store.link("EMPLOYS", [{"from": "ACME-SH", "to": "B1"}], actor="again")
    assert await store.unlink("EMPLOYS", [{"from": "ACME-SH", "to": "B2"}], actor="again") == 0
    await store.delete_entities(["Buyer:NOBODY", "Nope:X"], actor="again")
    assert await everything(store) == before


async def test_key_writes_are_recorded_without_secrets(store: GraphStore) -> None:
    key = ApiKey(
        id="00000000000000a1",
        name="nightly-erp-sync",
        role=Role.INTEGRATION,
        secret_hash=hashlib.sha256(b"secret").hexdigest(),
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
        created_by="key:ffff (root)",
    )
    await store.add_api_key(key)
    revoked_at = datetime(2026, 12, 2, tzinfo=UTC)
    await store.revoke_api_key(key.id, at=revoked_at, actor="key:eeee (ops)")
    await store.revoke_api_key(key.id, at=revoked_at + timedelta(days=1), actor="again")
    with pytest.raises(NotFound):
        await store.revoke_api_key("00000000000000ff", at=revoked_at, actor="again")
    created, revoked = await everything(store)
    assert shape(created) == ("key:ffff (root)", "key.create", "apiKey", None)
    assert created.ids == (key.id,)
    assert created.after == {
        "name": key.name,
        "role": "integration",
        "createdAt": "2026-12-01T00:00:00+00:00",
    }
    assert shape(revoked) == ("key:eeee (ops)", "key.revoke", "apiKey", None)
    assert revoked.ids == (key.id,)
    assert revoked.before == {"name": key.name, "revokedAt": None}
    assert revoked.after == {"name": key.name, "revokedAt": "2026-12-02T00:00:00.000000Z"}
    assert key.secret_hash not in repr(created) + repr(revoked)


async def test_filters_by_time_actor_and_type(store: GraphStore) -> None:
    await store.define_entity_type(CUSTOMER, actor="officer")
    await store.define_entity_type(SUBSIDIARY, actor="officer")
    await store.upsert_entities("Customer", [{"key": "A", "name": "A"}], actor="loader")
    middle = utc_now()
    await store.upsert_entities("Subsidiary", [{"key": "S", "name": "S"}], actor="loader")
    await store.upsert_entities("Customer", [{"key": "B", "name": "B"}], actor="sync")
    by_actor = await everything(store, actor="loader")
    assert [(r.type_name, r.ids) for r in by_actor] == [
        ("Customer", ("Customer:A",)),
        ("Subsidiary", ("Subsidiary:S",)),
    ]
    by_type = await everything(store, type_name="Customer")
    assert [(r.action.value, r.actor) for r in by_type] == [
        ("define", "officer"),
        ("upsert", "loader"),
        ("upsert", "sync"),
    ]
    since = await everything(store, since=middle)
    assert [r.ids for r in since] == [("Subsidiary:S",), ("Customer:B",)]
    both = await store.audit_log(since=middle, actor="sync", type_name="Customer")
    assert [r.ids for r in both.items] == [("Customer:B",)]
    assert both.total_count == 1
    assert (await store.audit_log(actor="nobody")).items == []
    assert (await store.audit_log(since=utc_now() + timedelta(days=1))).total_count == 0


async def test_pages_follow_at_then_id(store: GraphStore) -> None:
    await store.define_entity_type(CUSTOMER, actor="officer")
    for index in range(7):
        await store.upsert_entities("Customer", [{"key": f"C{index}", "name": "x"}])
    first = await store.audit_log(first=3)
    assert (len(first.items), first.total_count, first.has_next_page) == (3, 8, True)
    assert first.end_cursor == audit_cursor(first.items[-1])
    walked = await everything(store)
    assert len(walked) == 8
    assert walked[:3] == first.items
    assert walked == sorted(walked, key=lambda r: (r.at, r.id))
    assert len({r.id for r in walked}) == 8
    last = await store.audit_log(first=5, after=first.end_cursor)
    assert last.items == walked[3:]
    assert not last.has_next_page
    assert last.total_count == 8
    assert (await store.audit_log(first=0)).items == []
    filtered = await store.audit_log(type_name="Customer", first=2, after=first.end_cursor)
    assert filtered.items == walked[3:5]
    assert filtered.total_count == 8


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"after": "not-a-cursor"}, ["after"]),
        ({"since": datetime(2026, 1, 1)}, ["since"]),
        ({"first": -1}, ["first"]),
        ({"first": 100_000}, ["first"]),
        ({"actor": "x" * 10_000}, ["actor"]),
    ],
)
async def test_bad_arguments_are_refused(
    store: GraphStore, arguments: dict[str, Any], path: list[str]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await store.audit_log(**arguments)
    assert list(caught.value.path) == path


async def test_failed_writes_leave_neither_data_nor_record(store: GraphStore) -> None:
    await load_chain(store)
    before = (await snapshot(store), await everything(store))
    with pytest.raises(InvalidInput):  # refused before the transaction
        await store.upsert_entities(
            "Customer", [{"key": "NEW", "name": "ok"}, {"key": "BAD", "revenue": "x"}], actor="x"
        )
    with pytest.raises(UniqueViolation):  # refused inside it: the email is taken
        await store.upsert_entities(
            "Customer", [{"key": "NEW", "name": "n", "email": "ops@acme.cn"}], actor="x"
        )
    with pytest.raises(NotFound):  # inside it too, after the links that could be made
        await store.link(
            LINK, [{"from": "BETA", "to": "ACME-SH"}, {"from": "BETA", "to": "NOPE"}], actor="x"
        )
    assert (await snapshot(store), await everything(store)) == before


async def test_an_import_is_recorded_with_its_actor(store: GraphStore, tmp_path: Path) -> None:
    source = await EmbeddedStore.open(tmp_path / "source.db")
    try:
        await load_chain(source)
        path = tmp_path / "graph.jsonl"
        with path.open("w", encoding="utf-8") as out:
            await export_graph(source, out)
    finally:
        await source.close()
    await import_graph(store, path, actor="importer")
    records = await everything(store)
    assert {r.actor for r in records} == {"importer"}
    assert {r.action.value for r in records} == {"import"}
    registry = records[0]
    assert (registry.kind.value, registry.type_name) == ("registry", None)
    # load_chain defines the 10 types as one registry change: version 1, 10 steps
    assert registry.summary == {"version": 1, "changes": 10, "definitions": 10}
    customers = next(r for r in records if r.type_name == "Customer")
    assert customers.ids == ("Customer:ACME", "Customer:ACME-HOLD", "Customer:BETA")
    links = next(r for r in records if r.type_name == "EMPLOYS")
    assert links.kind.value == "relation"
    assert links.summary == {"created": 3}
    assert sum(len(r.ids) for r in records) == 16 + 15
