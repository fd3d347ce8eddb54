"""The cost estimate prices work: traversal fan-out, relation filters and introspection.

On the demo data (seeds/crossborder.json): the hostile shapes of the issue are refused
before they run (QUERY_TOO_COSTLY) or answered within the role's budget, while the
ordinary ones (one such traversal, GraphiQL's introspection for every role) still pass.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import get_introspection_query

from graph_crm.api.cost import TOO_COSTLY
from graph_crm.auth.roles import Role
from graph_crm.services.demo import DEMO_SEED
from graph_crm.services.seed import apply_seed, read_seed
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.counting_store import CountingStore
from tests.api.graphql import data, post
from tests.store_fixtures import Loaded

FIVE_HOPS = """
  traverse(from: ["Warehouse:RTM-02"], limit: 1, steps: [
    {relation: "SHIPPED_VIA", direction: IN}, {relation: "FOR_CUSTOMER"},
    {relation: "FOR_CUSTOMER", direction: IN}, {relation: "SHIPPED_VIA"},
    {relation: "SHIPPED_VIA", direction: IN}]) { reached { id } truncated }
"""
SCHEMA_FIELDS = "__schema { types { name fields { name type { name } } } }"


def hops(levels: int, innermost: dict[str, Any]) -> dict[str, Any]:
    """Shipments -SHIPPED_VIA-> a warehouse <-SHIPPED_VIA- a shipment ... ``levels`` deep."""
    where = innermost
    for level in reversed(range(levels)):
        direction = "OUT" if level % 2 == 0 else "IN"
        where = {"SHIPPED_VIA": {"direction": direction, "some": where}}
    return where


def expected(levels: int, innermost: str) -> int:
    """The same, counted from the seed: shipments reachable back from those ``innermost``
    picks, hop by hop."""
    seed = read_seed(DEMO_SEED)
    via = [(link["from"], link["to"]) for link in seed["links"]["SHIPPED_VIA"]]
    shipments = {s["key"]: s for s in seed["entities"]["Shipment"]}
    if innermost == "DELIVERED":
        current = {k for k, s in shipments.items() if s["status"] == "DELIVERED"}
    else:
        current = {innermost}
    for level in reversed(range(levels)):
        if level % 2 == 1:  # warehouses with a shipment in current
            current = {w for s, w in via if s in current}
        else:  # shipments through a warehouse in current
            current = {s for s, w in via if w in current}
    return len(current)


COUNT = 'query Count($where: JSON) { entities(type: "Shipment", where: $where) { totalCount } }'


async def load_demo(store: GraphStore) -> None:
    await apply_seed(store, read_seed(DEMO_SEED), actor="tests")


@pytest.fixture
async def demo(loaded: Loaded) -> GraphStore:
    """The demo data, loaded once for the module: the tests only read it (each adds the
    API key its client sends, which no test here reads)."""
    return await loaded(load_demo)


async def test_one_five_hop_traversal_runs_thirty_are_refused(demo: GraphStore) -> None:
    async with asgi_client(demo, Role.ANALYST) as analyst:
        one = (await data(analyst, "{" + FIVE_HOPS + "}"))["traverse"]
        assert one == {"reached": [{"id": "Shipment:SHP-1004"}], "truncated": True}
        thirty = "{ " + " ".join(f"t{i}: {FIVE_HOPS}" for i in range(30)) + " }"
        body = await post(analyst, thirty)
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == TOO_COSTLY
        assert error["extensions"]["relations"] > error["extensions"]["maxCost"]
        assert "fewer aliases" in error["message"]
    async with asgi_client(demo, Role.ADMIN) as admin:  # more than any role may spend
        assert (await post(admin, thirty))["errors"][0]["extensions"]["code"] == TOO_COSTLY


@pytest.mark.parametrize(
    ("levels", "innermost", "thirty_answered"), [(2, "DELIVERED", True), (4, "SHP-1001", False)]
)
async def test_nested_relation_filters_are_priced_and_answered_within_budget(
    demo: GraphStore, levels: int, innermost: str, thirty_answered: bool
) -> None:
    inner: dict[str, Any] = (
        {"status": {"eq": "DELIVERED"}} if innermost == "DELIVERED" else {"key": {"eq": innermost}}
    )
    where = hops(levels, inner)
    async with asgi_client(demo, Role.ANALYST) as analyst:
        counted = await data(analyst, COUNT, where=where)
        assert counted["entities"]["totalCount"] == expected(levels, innermost)
        # each level is priced at its relation's edges (3,756 SHIPPED_VIA): the top one
        # is a probe per shipment, the nested ones a set computed once
        many = (
            "{ "
            + " ".join(
                f'c{i}: entities(type: "Shipment", where: {_literal(where)}) {{ totalCount }}'
                for i in range(30)
            )
            + " }"
        )
        body = await post(analyst, many)
        if thirty_answered:  # 30 x 2 x 3,756: within the analyst's 250,000
            assert list(body["data"].values()) == [counted["entities"]] * 30
        else:  # 30 x 4 x 3,756: over it
            assert body["errors"][0]["extensions"]["code"] == TOO_COSTLY
            assert body["errors"][0]["extensions"]["relations"] == 30 * levels * 3_756


async def test_graphiql_introspection_passes_for_every_role_thirty_copies_do_not(
    demo: GraphStore,
) -> None:
    for role in Role:
        async with asgi_client(demo, role) as client:
            schema = (await data(client, get_introspection_query()))["__schema"]
            assert schema["queryType"]["name"] == "Query"
    thirty = "{ " + " ".join(f"s{i}: {SCHEMA_FIELDS}" for i in range(30)) + " }"
    async with asgi_client(demo, Role.ANALYST) as analyst:
        assert "errors" not in await post(analyst, "{ " + SCHEMA_FIELDS + " }")
        body = await post(analyst, thirty)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == TOO_COSTLY


async def test_ordinary_reads_take_no_look_at_the_statistics(demo: GraphStore) -> None:
    counting = CountingStore(demo)
    async with asgi_client(counting, Role.ANALYST) as analyst:
        await data(analyst, '{ entities(type: "Warehouse") { totalCount } }')
        assert counting.calls["degree_stats"] == 0
        for _ in range(3):  # priced from statistics read once, then cached
            await data(analyst, "{" + FIVE_HOPS + "}")
        assert counting.calls["degree_stats"] == 1


def _literal(value: Any) -> str:
    """A JSON value as a GraphQL literal (object keys unquoted)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_literal(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)
