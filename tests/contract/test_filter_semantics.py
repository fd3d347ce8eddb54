"""Differential test: every backend answers random filters and orders exactly as the
pure model's three-valued evaluation and ordering rules say (relation quantifiers
are judged on the test's own copy of the links)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graph_crm.model.query import Related, check_filter, evaluate_in_graph
from graph_crm.model.traversal import Direction
from graph_crm.store.base import GraphStore
from tests.examples import examples

THING: dict[str, Any] = {
    "name": "Thing",
    "properties": [
        {"name": "n", "kind": "INT"},
        {"name": "x", "kind": "FLOAT"},
        {"name": "s", "kind": "STRING"},
        {"name": "d", "kind": "DATE"},
        {"name": "t", "kind": "DATETIME"},
        {"name": "b", "kind": "BOOLEAN"},
        {"name": "e", "kind": "ENUM", "values": ["RED", "GREEN", "BLUE"]},
    ],
}
#: Thing -> Thing, so both directions and nesting stay on one type.
LINKS: dict[str, Any] = {"name": "LINKS", "from": "Thing", "to": "Thing"}
WORDS = ["alpha", "Alpha", "beta", "上海", "上海港", "", "b", "ß", "z"]
START = datetime(2026, 1, 1, tzinfo=UTC)


def _value(rng: random.Random, name: str) -> Any:
    match name:
        case "n":
            return rng.randint(-3, 3)
        case "x":
            return rng.choice([-1.5, 0.0, 0.25, 2.0, 1e9])
        case "s":
            return rng.choice(WORDS)
        case "d":
            return (date(2026, 1, 1) + timedelta(days=rng.randint(0, 4))).isoformat()
        case "t":
            return (START + timedelta(hours=rng.randint(0, 4))).isoformat()
        case "b":
            return rng.choice([True, False])
        case _:
            return rng.choice(["RED", "GREEN", "BLUE"])


def _record(rng: random.Random, index: int) -> dict[str, Any]:
    record: dict[str, Any] = {"key": f"T{index:03d}"}
    for spec in THING["properties"]:
        if rng.random() < 0.75:
            record[spec["name"]] = _value(rng, spec["name"])
    return record


def _comparison(rng: random.Random) -> dict[str, Any]:
    name = rng.choice(["n", "x", "s", "d", "t", "b", "e", "key"])
    if name == "key":
        return {"key": {rng.choice(["eq", "lt", "gte", "startsWith"]): f"T0{rng.randint(0, 9)}"}}
    ops = ["eq", "ne", "isNull", "in"]
    if name not in ("b",):
        ops += ["lt", "lte", "gt", "gte"]
    if name == "s":
        ops += ["contains", "startsWith"]
    op = rng.choice(ops)
    if op == "isNull":
        return {name: {op: rng.choice([True, False])}}
    if op == "in":
        return {name: {op: [_value(rng, name) for _ in range(rng.randint(0, 3))]}}
    if op in ("contains", "startsWith"):
        return {name: {op: rng.choice(["a", "上海", "", "Al"])}}
    return {name: {op: _value(rng, name)}}


def _filter(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    roll = rng.random()
    if depth >= 3 or roll < 0.45:
        return _comparison(rng)
    if roll < 0.6:
        return {"not": _filter(rng, depth + 1)}
    if roll < 0.75:
        quantifier = rng.choice(["some", "none"])
        inner = {} if rng.random() < 0.25 else _filter(rng, depth + 1)
        return {"LINKS": {"direction": rng.choice(["OUT", "IN"]), quantifier: inner}}
    children = [_filter(rng, depth + 1) for _ in range(rng.randint(1, 3))]
    return {rng.choice(["and", "or"]): children}


def _links(rng: random.Random, count: int) -> list[tuple[str, str]]:
    pairs = {(f"T{rng.randrange(count):03d}", f"T{rng.randrange(count):03d}") for _ in range(150)}
    return sorted(pairs | {("T000", "T000")})  # a self-loop is both ends at once


async def test_random_filters_match_the_model(store: GraphStore) -> None:
    rng = random.Random(20261123)
    await store.define_entity_type(THING)
    registry = await store.define_relation_type(LINKS)
    thing = registry.entity_type("Thing")
    await store.upsert_entities("Thing", [_record(rng, i) for i in range(120)])
    links = _links(rng, 120)
    await store.link("LINKS", [{"from": f, "to": t} for f, t in links])
    entities = (await store.list_entities("Thing", first=1000)).items
    assert len(entities) == 120
    rows = {e.key: {**e.properties, "key": e.key} for e in entities}
    ends: dict[tuple[str, Direction], list[str]] = {}
    for f, t in links:
        ends.setdefault((f, Direction.OUT), []).append(t)
        ends.setdefault((t, Direction.IN), []).append(f)

    def far_ends(key: str, related: Related) -> list[str]:
        return ends.get((key, related.direction), [])

    starts = [f"Thing:{key}" for key in rows]
    linked_to = {t for f, t in links if f != t}  # a path never visits an entity twice
    for index in range(examples(150)):  # each a new statement to plan on Neo4j
        where = _filter(rng)
        flt = check_filter(thing, where, registry=registry)
        assert flt is not None
        expected = sorted(
            key for key in rows if evaluate_in_graph(flt, key, rows.__getitem__, far_ends) is True
        )
        page = await store.list_entities("Thing", where=where, first=1000)
        assert [e.key for e in page.items] == expected, where
        assert page.total_count == len(expected)
        if index % 5 == 0:  # a traversal step's where is evaluated on its own path
            step = {"relation": "LINKS", "where": where}
            reached = (await store.traverse(starts, [step])).reached
            assert [e.key for e in reached] == [k for k in expected if k in linked_to], where


async def test_random_orders_match_the_model(store: GraphStore) -> None:
    rng = random.Random(7)
    await store.define_entity_type(THING)
    await store.upsert_entities("Thing", [_record(rng, i) for i in range(80)])
    entities = (await store.list_entities("Thing", first=1000)).items
    for _ in range(12):
        fields = rng.sample(["n", "x", "s", "d", "t", "b", "e"], rng.randint(1, 2))
        order = [f"-{f}" if rng.random() < 0.5 else f for f in fields]

        def sort_key(entity: Any, order: list[str] = order) -> tuple[Any, ...]:
            parts: list[Any] = []
            for item in order:
                descending = item.startswith("-")
                value = entity.properties.get(item.lstrip("-"))
                # missing: last ascending, first descending; otherwise by value
                parts.append(_Directional(value, descending))
            parts.append(entity.key)
            return tuple(parts)

        expected = [e.key for e in sorted(entities, key=sort_key)]
        seen: list[str] = []
        after = None
        while True:
            page = await store.list_entities("Thing", order_by=order, first=9, after=after)
            seen.extend(e.key for e in page.items)
            if not page.has_next_page:
                break
            after = page.end_cursor
        assert seen == expected, order


class _Directional:
    """Sorts a value the way the stores do: null is greater than every value."""

    def __init__(self, value: Any, descending: bool) -> None:
        self.value = value
        self.descending = descending

    def _rank(self) -> tuple[int, Any]:
        return (1, 0) if self.value is None else (0, self.value)

    def __lt__(self, other: _Directional) -> bool:
        mine, theirs = self._rank(), other._rank()
        if mine[0] != theirs[0]:
            return (mine[0] < theirs[0]) != self.descending
        if mine[0] == 1:
            return False
        return bool((mine[1] < theirs[1]) != self.descending) and mine[1] != theirs[1]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Directional) and self._rank() == other._rank()

    __hash__ = None  # type: ignore[assignment]
