"""bench.peer's scenarios: one logical question each, as graph-crm and as the peer ask it.

The names match (types, fields, relation fields, enums, the ``where`` filters); what differs
is the library's syntax around them: no lookup by key (a list filtered on ``key``), ``limit``
and ``sort`` where graph-crm has ``first`` and ``orderBy``, and ``…Connection`` for a page.
:func:`normalise` brings both answers to one shape for the check before timing.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bench.graphgen import COUNTRIES, TIERS
from bench.scenarios import Pools, Scenario

Row = dict[str, Any]
Variables = Callable[[random.Random, Pools], Row]
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT")


@dataclass(frozen=True)
class Pair:
    """One scenario: graph-crm's query, the peer's, and how to read their roots."""

    name: str
    label: str
    ours: Scenario
    peer: Scenario
    #: The answer's root, as one shape (dict, list or scalar), for the sameness check.
    ours_shape: Callable[[Any], Any]
    peer_shape: Callable[[Any], Any]

    @property
    def paged(self) -> bool:
        return self.ours.paged


def _key(rng: random.Random, pools: Pools) -> Row:
    return {"key": rng.choice(pools.customer_keys)}


def _page(name: str) -> Variables:
    def variables(rng: random.Random, pools: Pools) -> Row:
        return {"after": rng.choice(pools.cursors.get(name) or [None])}

    return variables


def _country_tier(rng: random.Random, pools: Pools) -> Row:
    return {"country": rng.choice(COUNTRIES), "tier": rng.choice(TIERS)}


def _one(answer: list[Row]) -> Row | None:
    return answer[0] if answer else None


def _nodes(answer: Row) -> Row:
    """A connection's page: its nodes in order, and totalCount if asked (cursors differ)."""
    page = {"nodes": [edge["node"] for edge in answer["edges"]]}
    if "totalCount" in answer:
        page["totalCount"] = answer["totalCount"]
    return page


def _same(answer: Any) -> Any:
    return answer


def _list_page(answer: list[Row]) -> Row:
    return {"nodes": answer}


LOOKUP = "id key name tier revenue"
TWO_HOP = "name hasSubsidiary({n}: 20) {{ key name employs({n}: 20) {{ key name }} }}"
THREE_HOP = (
    "name hasSubsidiary({n}: 20) {{ key name employs({n}: 20) "
    "{{ key name wrote({n}: 20) {{ key at text }} }} }}"
)
PAGE = "totalCount edges { cursor node { key name revenue } } pageInfo { hasNextPage endCursor }"
FILTER = "{tier: {eq: GOLD}, revenue: {gte: 1000}}"
SOME = "{tier: {eq: $tier}, hasSubsidiary: {some: {country: {eq: $country}}}}"
SOME_VARS = "$country: String!, $tier: CustomerTier!"


def _by_key(name: str, label: str, selection: str) -> Pair:
    ours = f"query($key: String!) {{ customer(key: $key) {{ {selection.format(n='first')} }} }}"
    peer = (
        "query($key: String!) { customers(where: {key: {eq: $key}}) "
        f"{{ {selection.format(n='limit')} }} }}"
    )
    return Pair(
        name,
        label,
        Scenario(name, ours, "customer", _key, ("customer",)),
        Scenario(name, peer, "customers", _key, ()),
        _same,
        _one,
    )


PAIRS = [
    _by_key("lookup", "lookup by key", LOOKUP),
    _by_key("nested_2hop", "2-hop nested (customer → subsidiaries → buyers)", TWO_HOP),
    Pair(
        "filtered_page",
        "filtered, ordered page of 50",
        Scenario(
            "filtered_page",
            f"query($after: String) {{ customers(where: {FILTER}, "
            "orderBy: [{field: revenue, direction: DESC}], first: 50, after: $after) "
            f"{{ {PAGE} }} }}",
            "customers",
            _page("filtered_page"),
            ("customers",),
            paged=True,
        ),
        Scenario(
            "filtered_page",
            f"query($after: String) {{ customersConnection(where: {FILTER}, "
            f"sort: [{{revenue: DESC}}], first: 50, after: $after) {{ {PAGE} }} }}",
            "customersConnection",
            _page("filtered_page"),
            (),
            paged=True,
        ),
        _nodes,
        _nodes,
    ),
    Pair(
        "typename",
        "{ __typename } (fixed cost per request)",
        Scenario("typename", "{ __typename }", "__typename", lambda rng, pools: {}, ()),
        Scenario("typename", "{ __typename }", "__typename", lambda rng, pools: {}, ()),
        _same,
        _same,
    ),
    _by_key("nested_3hop", "3-hop nested (… → buyers → chat logs)", THREE_HOP),
    Pair(
        "some_filter",
        "`some` filter (customers with some subsidiary in a country), first 50 by revenue",
        Scenario(
            "some_filter",
            f"query({SOME_VARS}) {{ customers(where: {SOME}, "
            "orderBy: [{field: revenue, direction: DESC}], first: 50) "
            "{ edges { node { key name revenue } } } }",
            "customers",
            _country_tier,
            ("customers",),
        ),
        Scenario(
            "some_filter",
            f"query({SOME_VARS}) {{ customers(where: {SOME}, sort: [{{revenue: DESC}}], "
            "limit: 50) { key name revenue } }",
            "customers",
            _country_tier,
            (),
        ),
        _nodes,
        _list_page,
    ),
]


def normalise(value: Any) -> Any:
    """One comparable form: lists of objects sorted by ``key`` (relation fields come in no
    promised order), datetimes parsed (``…Z`` and ``+00:00`` alike), floats rounded."""
    if isinstance(value, dict):
        return {name: normalise(item) for name, item in sorted(value.items())}
    if isinstance(value, list):
        items = [normalise(item) for item in value]
        if items and all(isinstance(item, dict) and "key" in item for item in items):
            # a page keeps its order; a relation field's is compared as a set
            return sorted(items, key=lambda item: str(item["key"]))
        return items
    if isinstance(value, str) and _DATETIME.match(value):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, float):
        return round(value, 9)
    return value


def ordered(page: Row, field: str = "revenue") -> list[Any]:
    """A page's ``field`` values in the order served (the order both were asked for)."""
    return [node.get(field) for node in page["nodes"]]
