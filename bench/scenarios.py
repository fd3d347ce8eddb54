"""The API benchmark's GraphQL scenarios: the typed queries and their core stand-ins."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]
FOUR_HOPS = ("HAS_SUBSIDIARY", "EMPLOYS", "WROTE", "MENTIONS")


@dataclass
class Pools:
    """What requests draw their variables from: customer keys and page cursors per scenario."""

    customer_keys: list[str]
    cursors: dict[str, list[str | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    name: str
    query: str
    #: The Query field whose answer must not be null.
    root: str
    variables: Callable[[random.Random, Pools], Row]
    #: Query fields the live schema must have (the typed ones are generated per entity type).
    needs: tuple[str, ...]
    #: For a core stand-in: the typed scenario it approximates.
    stand_in_for: str | None = None
    #: A paged scenario starts at cursors collected by walking its pages first.
    paged: bool = False


def _key(rng: random.Random, pools: Pools) -> Row:
    return {"key": rng.choice(pools.customer_keys)}


def _id(rng: random.Random, pools: Pools) -> Row:
    return {"id": f"Customer:{rng.choice(pools.customer_keys)}"}


def _ids(rng: random.Random, pools: Pools) -> Row:
    return {"from": [f"Customer:{rng.choice(pools.customer_keys)}"]}


def _page(name: str) -> Callable[[random.Random, Pools], Row]:
    def variables(rng: random.Random, pools: Pools) -> Row:
        return {"after": rng.choice(pools.cursors.get(name) or [None])}

    return variables


def _traverse(relations: tuple[str, ...], selection: str) -> str:
    steps = ", ".join(f'{{relation: "{r}"}}' for r in relations)
    return f"query($from: [ID!]!) {{ traverse(from: $from, steps: [{steps}]) {{ {selection} }} }}"


PAGE = "totalCount edges { cursor node { key name revenue } } pageInfo { hasNextPage endCursor }"
CORE_PAGE = "totalCount edges { cursor node { key properties } } pageInfo { hasNextPage endCursor }"
SCENARIOS = [
    Scenario(
        "lookup",
        "query($key: String!) { customer(key: $key) { id key name tier revenue } }",
        "customer",
        _key,
        ("customer",),
    ),
    Scenario(
        "nested_2hop",
        "query($key: String!) { customer(key: $key) { name hasSubsidiary(first: 20) "
        "{ key name employs(first: 20) { key name } } } }",
        "customer",
        _key,
        ("customer",),
    ),
    Scenario(
        "filtered_page",
        "query($after: String) { customers(where: {tier: {eq: GOLD}, revenue: {gte: 1000}}, "
        "orderBy: [{field: revenue, direction: DESC}], first: 50, after: $after) "
        f"{{ {PAGE} }} }}",
        "customers",
        _page("filtered_page"),
        ("customers",),
        paged=True,
    ),
    Scenario(
        "traverse_4hops",
        _traverse(FOUR_HOPS, "reached { id } truncated"),
        "traverse",
        _ids,
        ("traverse",),
    ),
    Scenario(
        "lookup_core",
        "query($id: ID!) { entity(id: $id) { id key properties } }",
        "entity",
        _id,
        ("entity",),
        stand_in_for="lookup",
    ),
    Scenario(
        "traverse_2hops_core",
        _traverse(FOUR_HOPS[:2], "reached { id key properties } truncated"),
        "traverse",
        _ids,
        ("traverse",),
        stand_in_for="nested_2hop",
    ),
    Scenario(
        "filtered_page_core",
        'query($after: String) { entities(type: "Customer", '
        'where: {tier: {eq: "GOLD"}, revenue: {gte: 1000}}, '
        f'orderBy: [{{field: "revenue", direction: DESC}}], first: 50, after: $after) '
        f"{{ {CORE_PAGE} }} }}",
        "entities",
        _page("filtered_page_core"),
        ("entities",),
        stand_in_for="filtered_page",
        paged=True,
    ),
]
#: Scenarios that need only the static core schema (``--core-only``).
CORE_ONLY = [s for s in SCENARIOS if s.stand_in_for or s.name == "traverse_4hops"]
