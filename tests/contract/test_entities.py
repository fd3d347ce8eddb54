"""Writing and reading entities: upsert, validation, atomicity, lists, deletes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from graph_crm.errors import InvalidInput, NotFound, UniqueViolation, UnknownType
from graph_crm.store.base import GraphStore
from tests.contract.crm import define_crm, load_chain
from tests.contract.snapshot import snapshot
from tests.store_fixtures import Loaded


async def test_upsert_is_idempotent_by_key(store: GraphStore) -> None:
    await define_crm(store)
    rows: list[dict[str, Any]] = [
        {"key": "C1", "name": "One", "revenue": 10},
        {"key": "C2", "name": "Two"},
    ]
    first = await store.upsert_entities("Customer", rows)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    (before,) = await store.get_entities(["Customer:C1"])
    again = await store.upsert_entities("Customer", rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    (after,) = await store.get_entities(["Customer:C1"])
    assert after == before
    changed = await store.upsert_entities("Customer", [{"key": "C1", "name": "Uno"}])
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 0)
    (updated,) = await store.get_entities(["Customer:C1"])
    assert updated is not None
    assert before is not None
    # upsert replaces: the revenue not given again is gone; the default stays
    assert updated.properties == {"name": "Uno", "active": True}
    assert updated.created_at == before.created_at
    assert updated.updated_at > before.updated_at
    assert (await store.counts()).entities["Customer"] == 2


async def test_typed_values_round_trip(store: GraphStore) -> None:
    await define_crm(store)
    await store.upsert_entities(
        "Customer",
        [
            {
                "key": "ACME",
                "name": "上海阿克米 🚢",
                "tier": "GOLD",
                "revenue": 12,
                "employees": 2**40,
                "active": False,
                "since": "2019-03-01",
                "lastContact": "2026-11-20T10:15:30.123456+08:00",
                "tags": {"segments": ["a", "b"], "score": 0.5, "nested": {"ok": True}},
            }
        ],
    )
    (acme,) = await store.get_entities(["Customer:ACME"])
    assert acme is not None
    assert acme.id == "Customer:ACME"
    assert acme.properties == {
        "name": "上海阿克米 🚢",
        "tier": "GOLD",
        "revenue": 12.0,
        "employees": 2**40,
        "active": False,
        "since": date(2019, 3, 1),
        "lastContact": datetime(2026, 11, 20, 2, 15, 30, 123456, tzinfo=UTC),
        "tags": {"segments": ["a", "b"], "score": 0.5, "nested": {"ok": True}},
    }
    assert isinstance(acme.properties["revenue"], float)
    assert acme.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("row", "field", "words"),
    [
        ({"name": 5}, "name", "expected a string"),
        ({"name": "x", "revenue": "lots"}, "revenue", "expected a number"),
        ({"name": "x", "employees": 1.5}, "employees", "expected an integer"),
        ({"name": "x", "employees": True}, "employees", "expected an integer"),
        ({"name": "x", "employees": 2**64}, "employees", "64 bits"),
        ({"name": "x", "active": "yes"}, "active", "true or false"),
        ({"name": "x", "tier": "PLATINUM"}, "tier", "not one of"),
        ({"name": "x", "since": "2026-02-30"}, "since", "not a valid date"),
        ({"name": "x", "since": "01/02/2026"}, "since", "YYYY-MM-DD"),
        ({"name": "x", "lastContact": "2026-01-01T10:00:00"}, "lastContact", "time zone"),
        ({"name": "x", "revenue": float("nan")}, "revenue", "finite"),
        ({"name": "x", "tags": {"a": {1, 2}}}, "tags", "JSON"),
        ({"name": "x" * 70_000}, "name", "longer"),
        ({}, "name", "required"),
        ({"name": "x", "nickname": "y"}, "nickname", "no property"),
    ],
)
async def test_invalid_values_are_refused_with_row_and_field(
    loaded: Loaded, row: dict[str, Any], field: str, words: str
) -> None:
    store = await loaded(load_chain)
    before = await snapshot(store)
    good = {"key": "OK-1", "name": "fine"}
    with pytest.raises(InvalidInput) as caught:
        await store.upsert_entities("Customer", [good, {"key": "BAD", **row}])
    assert caught.value.path == ("records", 1, field)
    assert words in caught.value.message
    assert await snapshot(store) == before


async def test_a_batch_reports_every_bad_row(store: GraphStore) -> None:
    await define_crm(store)
    with pytest.raises(InvalidInput) as caught:
        await store.upsert_entities(
            "Customer",
            [
                {"key": "A", "name": 1},
                {"key": "B", "name": "ok"},
                {"name": "no key"},
                {"key": "", "name": "empty key"},
                {"key": "A", "name": "twice"},
            ],
        )
    paths = [issue.path for issue in caught.value.issues]
    assert paths == [
        ("records", 0, "name"),
        ("records", 2, "key"),
        ("records", 3, "key"),
        ("records", 4, "key"),
    ]
    assert (await store.counts()).entities["Customer"] == 0


async def test_unique_properties(store: GraphStore) -> None:
    await load_chain(store)
    before = await snapshot(store)
    with pytest.raises(UniqueViolation) as caught:
        await store.upsert_entities(
            "Customer",
            [{"key": "NEW", "name": "n"}, {"key": "THIEF", "name": "t", "email": "ops@acme.cn"}],
        )
    assert caught.value.path == ("records", 1, "email")
    assert "Customer:ACME" in caught.value.message
    with pytest.raises(UniqueViolation) as caught:
        await store.upsert_entities(
            "Customer",
            [
                {"key": "X1", "name": "a", "email": "same@x"},
                {"key": "X2", "name": "b", "email": "same@x"},
            ],
        )
    assert caught.value.path == ("records", 1, "email")
    assert await snapshot(store) == before
    # the holder itself may keep (or give up) its value, and then another may take it
    await store.upsert_entities(
        "Customer", [{"key": "ACME", "name": "ACME", "email": "ops@acme.cn"}]
    )
    await store.upsert_entities(
        "Customer",
        [{"key": "ACME", "name": "ACME"}, {"key": "NEXT", "name": "n", "email": "ops@acme.cn"}],
    )
    (nxt,) = await store.get_entities(["Customer:NEXT"])
    assert nxt is not None
    assert nxt.properties["email"] == "ops@acme.cn"


async def test_unknown_type_and_bad_batches(store: GraphStore) -> None:
    await define_crm(store)
    with pytest.raises(UnknownType):
        await store.upsert_entities("Warehouse", [{"key": "W"}])
    with pytest.raises(InvalidInput):
        await store.upsert_entities("Customer", "not a list")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        await store.upsert_entities("Customer", [["key", "x"]])  # type: ignore[list-item]
    assert (await store.upsert_entities("Customer", [])).total == 0


async def test_get_by_global_id(loaded: Loaded) -> None:
    store = await loaded(load_chain)
    found = await store.get_entities(
        ["Buyer:B2", "Customer:ACME", "Customer:NOPE", "Warehouse:X", "Buyer:B2"]
    )
    assert [e.id if e else None for e in found] == [
        "Buyer:B2",
        "Customer:ACME",
        None,
        None,
        "Buyer:B2",
    ]
    with pytest.raises(InvalidInput, match="global id"):
        await store.get_entities(["no-colon"])


async def test_delete_removes_relations(store: GraphStore) -> None:
    await load_chain(store)
    result = await store.delete_entities(["Subsidiary:ACME-DE", "Buyer:B1", "Buyer:GONE"])
    assert (result.entities, result.relations) == (2, 4)
    counts = await store.counts()
    assert counts.entities["Subsidiary"] == 2
    assert counts.entities["Buyer"] == 2
    assert counts.relations == {
        "EMPLOYS": 1,
        "HAS_SUBSIDIARY": 2,
        "MENTIONS": 4,
        "PARENT_OF": 1,
        "WROTE": 3,
    }
    reached = await store.traverse(["Customer:ACME"], [{"relation": "HAS_SUBSIDIARY"}])
    assert [e.id for e in reached.reached] == ["Subsidiary:ACME-SH"]
    again = await store.delete_entities(["Buyer:B1"])
    assert (again.entities, again.relations) == (0, 0)


async def test_filters(loaded: Loaded) -> None:
    store = await loaded(load_chain)

    async def keys(where: Any) -> list[str]:
        page = await store.list_entities("Customer", where=where, first=100)
        assert page.total_count == len(page.items)
        return [e.key for e in page.items]

    assert await keys(None) == ["ACME", "ACME-HOLD", "BETA"]
    assert await keys({"tier": {"eq": "GOLD"}}) == ["ACME", "ACME-HOLD"]
    assert await keys({"tier": {"ne": "GOLD"}}) == ["BETA"]
    assert await keys({"revenue": {"gte": 2.0e5}}) == ["ACME", "BETA"]
    assert await keys({"revenue": {"lt": 1.5e6}}) == ["BETA"]
    assert await keys({"revenue": {"isNull": True}}) == ["ACME-HOLD"]
    # three-valued logic: a missing value never matches ne or not
    assert await keys({"not": {"revenue": {"gt": 1e6}}}) == ["BETA"]
    assert await keys({"name": {"startsWith": "上海"}}) == ["ACME"]
    assert await keys({"name": {"contains": "GmbH"}}) == ["BETA"]
    assert await keys({"key": {"in": ["BETA", "ACME", "ZZZ"]}}) == ["ACME", "BETA"]
    assert await keys({"since": {"lt": "2020-01-01"}}) == ["ACME"]
    assert await keys({"or": [{"tier": {"eq": "SILVER"}}, {"email": {"isNull": False}}]}) == [
        "ACME",
        "BETA",
    ]
    assert await keys(
        {"and": [{"tier": {"eq": "GOLD"}}, {"revenue": {"isNull": False}}], "active": {"eq": True}}
    ) == ["ACME"]
    assert await keys({"createdAt": {"gte": "2000-01-01T00:00:00Z"}}) == [
        "ACME",
        "ACME-HOLD",
        "BETA",
    ]
    bad: dict[str, Any]
    for bad in (
        {"tier": {"gt": 1}},
        {"tier": {"like": "G%"}},
        {"tags": {"eq": 1}},
        {"revenue": {"contains": "1"}},
        {"and": []},
        {"revenue": 5},
        {"nope": {"eq": 1}},
        {"revenue": {"eq": None}},
    ):
        with pytest.raises(InvalidInput):
            await keys(bad)


async def test_ordering_and_cursor_pagination(store: GraphStore) -> None:
    await define_crm(store)
    rows: list[dict[str, Any]] = [
        {"key": f"C{i:03d}", "name": f"n{i % 7}", **({"revenue": float(i % 5)} if i % 4 else {})}
        for i in range(60)
    ]
    await store.upsert_entities("Customer", rows)

    def expected(descending: bool) -> list[str]:
        present = [r for r in rows if "revenue" in r]
        missing = [r for r in rows if "revenue" not in r]
        present.sort(key=lambda r: (r["revenue"], r["key"]), reverse=False)
        if descending:
            present.sort(key=lambda r: r["key"])
            present.sort(key=lambda r: r["revenue"], reverse=True)
            ordered = sorted(missing, key=lambda r: r["key"]) + present
        else:
            ordered = present + sorted(missing, key=lambda r: r["key"])
        return [r["key"] for r in ordered]

    for order, descending in (
        ([{"field": "revenue", "direction": "ASC"}], False),
        (["-revenue"], True),
    ):
        seen: list[str] = []
        after = None
        while True:
            page = await store.list_entities("Customer", order_by=order, first=7, after=after)
            assert page.total_count == 60
            seen.extend(e.key for e in page.items)
            if not page.has_next_page:
                break
            after = page.end_cursor
        assert seen == expected(descending)
        # a cursor at the last entity: an empty page that still counts every match
        whole = await store.list_entities("Customer", order_by=order, first=60)
        past = await store.list_entities("Customer", order_by=order, after=whole.end_cursor)
        assert (past.items, past.total_count, past.has_next_page) == ([], 60, False)

    filtered = await store.list_entities(
        "Customer", where={"name": {"eq": "n3"}}, order_by=["-name", "key"], first=3
    )
    assert filtered.total_count == len([r for r in rows if r["name"] == "n3"])
    assert [e.key for e in filtered.items] == ["C003", "C010", "C017"]
    with pytest.raises(InvalidInput, match="cursor"):
        await store.list_entities("Customer", order_by=["name"], after=filtered.end_cursor)
    with pytest.raises(InvalidInput, match="cursor"):
        await store.list_entities("Customer", after="garbage!!")
    with pytest.raises(InvalidInput):
        await store.list_entities("Customer", first=100_000)
    with pytest.raises(InvalidInput):
        await store.list_entities("Customer", order_by=["tags"])


async def test_ten_thousand_rows_in_one_batch(store: GraphStore) -> None:
    await define_crm(store)
    rows = [
        {"key": f"K{i:05d}", "name": f"客户 {i}", "revenue": i * 1.5, "email": f"c{i}@example.com"}
        for i in range(10_000)
    ]
    result = await store.upsert_entities("Customer", rows)
    assert result.created == 10_000
    assert (await store.counts()).entities["Customer"] == 10_000
    page = await store.list_entities("Customer", where={"revenue": {"gte": 14_997.0}})
    assert [e.key for e in page.items] == ["K09998", "K09999"]
    # one bad row at the end: none of the 10,000 changes lands
    rows[-1] = {"key": "K09999", "name": 0}
    changed = [{**r, "revenue": -1.0} for r in rows[:-1]] + [rows[-1]]
    with pytest.raises(InvalidInput):
        await store.upsert_entities("Customer", changed)
    page = await store.list_entities("Customer", where={"revenue": {"lt": 0}})
    assert page.total_count == 0


async def test_missing_link_ends_are_named(store: GraphStore) -> None:
    await load_chain(store)
    before = await snapshot(store)
    with pytest.raises(NotFound) as caught:
        await store.link(
            "EMPLOYS",
            [
                {"from": "ACME-SH", "to": "B3"},
                {"from": "ACME-XX", "to": "B1"},
                {"from": "ACME-SH", "to": "B9"},
            ],
        )
    assert [i.path for i in caught.value.issues] == [("links", 1, "from"), ("links", 2, "to")]
    assert "Subsidiary:ACME-XX" in caught.value.issues[0].message
    assert await snapshot(store) == before
