"""Every store call runs under the caller's time budget: past it the call fails with
TIMEOUT, a write stopped so writes nothing, and the store goes on answering. Nested
relation quantifiers, however deep, answer as the pure model says (and cheaply: each
nesting level is a set computed once, see ``bench/budgets.py``)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from graph_crm.errors import TimedOut
from graph_crm.model.query import MAX_FILTER_DEPTH, Related, check_filter, evaluate_in_graph
from graph_crm.model.traversal import Direction
from graph_crm.store.base import GraphStore
from graph_crm.store.budget import WorkBudget, work_budget
from tests.contract.crm import CHAIN, load_chain

#: No time at all: whatever the machine, the call is out of time before it is done.
SPENT = WorkBudget(seconds=1e-9)


async def test_a_call_out_of_time_fails_and_changes_nothing(store: GraphStore) -> None:
    await load_chain(store)
    audited = (await store.audit_log(first=1)).total_count
    counts = await store.counts()
    with work_budget(SPENT):
        with pytest.raises(TimedOut, match="budget"):
            await store.list_entities("Customer", where={"tier": {"eq": "GOLD"}})
        with pytest.raises(TimedOut):
            await store.traverse(["Customer:ACME"], CHAIN)
        with pytest.raises(TimedOut):
            await store.upsert_entities("Buyer", [{"key": "B9", "name": "Nine"}])
        with pytest.raises(TimedOut):
            await store.link("EMPLOYS", [{"from": "BETA-AT", "to": "B1"}])
        with pytest.raises(TimedOut):
            await store.delete_entities(["Customer:BETA"])
        with pytest.raises(TimedOut):
            await store.define_entity_type({"name": "Warehouse"})
    assert await store.counts() == counts
    assert (await store.audit_log(first=1)).total_count == audited
    assert "Warehouse" not in (await store.registry()).entity_types
    # the next call, with time to spare, answers and writes
    with work_budget(WorkBudget(seconds=60.0)):
        await store.upsert_entities("Buyer", [{"key": "B9", "name": "Nine"}])
        (written,) = await store.get_entities(["Buyer:B9"])
    assert written is not None


async def test_a_big_write_over_its_budget_is_rolled_back_whole(store: GraphStore) -> None:
    await store.define_entity_type(
        {"name": "Parcel", "properties": [{"name": "weight", "kind": "FLOAT"}]}
    )
    audited = (await store.audit_log(first=1)).total_count
    parcels = [{"key": f"P{index:06d}", "weight": index / 10} for index in range(30_000)]
    with work_budget(WorkBudget(seconds=0.05)), pytest.raises(TimedOut):
        await store.upsert_entities("Parcel", parcels)
    assert (await store.counts()).entities["Parcel"] == 0
    assert (await store.audit_log(first=1)).total_count == audited
    await store.upsert_entities("Parcel", parcels[:10])
    assert (await store.counts()).entities["Parcel"] == 10


THING: dict[str, Any] = {
    "name": "Thing",
    "properties": [{"name": "n", "kind": "INT"}, {"name": "tag", "kind": "STRING"}],
}
LINKS: dict[str, Any] = {"name": "LINKS", "from": "Thing", "to": "Thing"}


def _chain(rng: random.Random, hops: int) -> dict[str, Any]:
    """``hops`` quantifiers nested in one another, with a condition here and there (an
    ``and`` or a ``not`` is one more level: the filter may nest 12 deep)."""
    where: dict[str, Any] = {"n": {rng.choice(["lt", "gte", "eq"]): rng.randint(0, 9)}}
    depth = 0
    for _ in range(hops):
        quantifier = rng.choice(["some", "some", "none"])
        where = {"LINKS": {"direction": rng.choice(["OUT", "IN"]), quantifier: where}}
        depth += 1
        if depth >= MAX_FILTER_DEPTH - hops:
            continue
        roll = rng.random()
        if roll < 0.4:
            where = {"and": [where, {"tag": {"ne": rng.choice(["a", "b"])}}]}
            depth += 1
        elif roll < 0.6:
            where = {"not": where}
            depth += 1
    return where


async def test_deeply_nested_quantifiers_match_the_model(store: GraphStore) -> None:
    rng = random.Random(7)
    await store.define_entity_type(THING)
    registry = await store.define_relation_type(LINKS)
    thing = registry.entity_type("Thing")
    rows = {
        f"T{index:02d}": {"n": rng.randint(0, 9), "tag": rng.choice("ab")} for index in range(40)
    }
    await store.upsert_entities("Thing", [{"key": key, **fields} for key, fields in rows.items()])
    links = sorted({(rng.choice(list(rows)), rng.choice(list(rows))) for _ in range(90)})
    await store.link("LINKS", [{"from": f, "to": t} for f, t in links])
    ends: dict[tuple[str, Direction], list[str]] = {}
    for f, t in links:
        ends.setdefault((f, Direction.OUT), []).append(t)
        ends.setdefault((t, Direction.IN), []).append(f)

    def far_ends(key: str, related: Related) -> list[str]:
        return ends.get((key, related.direction), [])

    def fields(key: str) -> dict[str, Any]:
        return {**rows[key], "key": key}

    for hops in (2, 4, 4, 4, 6, 8, 10, 11, 11):
        where = _chain(rng, hops)
        flt = check_filter(thing, where, registry=registry)
        assert flt is not None
        expected = sorted(k for k in rows if evaluate_in_graph(flt, k, fields, far_ends) is True)
        page = await store.list_entities("Thing", where=where, first=100)
        assert [e.key for e in page.items] == expected, where
        assert page.total_count == len(expected)
        # the same filter on the far ends of a neighbour read
        (near,) = await store.neighbors("LINKS", "OUT", ["Thing:T00"], where=where)
        linked = set(ends.get(("T00", Direction.OUT), []))
        assert sorted(n.entity.key for n in near) == sorted(linked & set(expected)), where
