"""Over HTTP: ordinary queries pass the cost limit, costly ones are refused unrun."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from graphql import get_introspection_query

from graph_crm.api.cost import MAX_COST, TOO_COSTLY
from tests.api.graphql import data, load_chain, post


@pytest.fixture
def backend() -> str:
    """The estimate is made before any store is touched: one backend shows it."""
    return "embedded"


COUNT = '{ entities(type: "Customer") { totalCount } }'
PAGE = """
query Page($first: Int!) {
  entities(type: "Customer", first: $first) {
    totalCount
    edges { cursor node { id key properties } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def assert_too_costly(body: dict[str, Any], estimate: int, relations: int = 0) -> None:
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"] == {
        "code": TOO_COSTLY,
        "cost": estimate,
        "maxCost": MAX_COST,
        "objects": estimate - relations,
        "relations": relations,
    }
    assert f"{estimate:,}" in error["message"]
    assert f"{MAX_COST:,}" in error["message"]
    assert "ask for fewer items with `first`/`limit` on nested lists" in error["message"]


async def test_graphiql_introspection_passes(client: httpx.AsyncClient) -> None:
    schema = (await data(client, get_introspection_query()))["__schema"]
    assert schema["queryType"]["name"] == "Query"


async def test_a_page_of_50_and_a_traversal_of_1000_pass(client: httpx.AsyncClient) -> None:
    await load_chain(client)
    page = (await data(client, PAGE, first=50))["entities"]
    assert page["totalCount"] == 3
    assert len(page["edges"]) == 3
    walk = """
    query Walk($from: [ID!]!) {
      traverse(from: $from, steps: [{relation: "HAS_SUBSIDIARY"}, {relation: "EMPLOYS"}],
               limit: 1000) {
        reached { id properties }
        paths { target entityIds hops { relation direction } }
        truncated
      }
    }"""
    reached = (await data(client, walk, **{"from": ["Customer:ACME"]}))["traverse"]["reached"]
    assert sorted(entity["id"] for entity in reached) == ["Buyer:B1", "Buyer:B2"]


async def test_a_huge_first_in_a_variable_is_refused(client: httpx.AsyncClient) -> None:
    # entities: 1 + first * (totalCount 1 + edges 6 + pageInfo 3)
    assert_too_costly(await post(client, PAGE, first=100_000), estimate=1 + 100_000 * 10)


async def test_pages_multiplied_through_fragments_are_refused(client: httpx.AsyncClient) -> None:
    # a page of 10,000 (30,001) spread 2**6 times through fragments and inline fragments
    # (aliases would be refused by their own limit first)
    def spread(times: int) -> str:
        levels = " ".join(
            f"fragment P{i} on Query {{ ...P{i - 1} ... on Query {{ ...P{i - 1} }} }}"
            for i in range(1, times + 1)
        )
        return (
            f"query {{ ...P{times} }} {levels} "
            'fragment P0 on Query { entities(type: "Customer", first: 10000) '
            "{ edges { node { id } } } }"
        )

    query = spread(6)
    assert_too_costly(await post(client, query), estimate=2**6 * 30_001)
    # 2**9 copies of one field are refused before validation would compare them pairwise
    body = await post(client, spread(9))
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert "comparisons" in body["errors"][0]["message"]
    # @skip is honoured: the same fragments, skipped, cost nothing
    skipped = query.replace("{ ...P6 }", "{ ...P6 @skip(if: true) schemaVersion }")
    assert (await data(client, skipped)) == {"schemaVersion": 0}


async def test_a_refused_mutation_writes_nothing(client: httpx.AsyncClient) -> None:
    await load_chain(client)
    before = (await data(client, COUNT))["entities"]["totalCount"]
    # one upsert spread 2**12 times: GraphQL would merge the copies, but the limits count
    # what the document spells out (here its expanded size, before any cost walk)
    levels = " ".join(
        f"fragment W{i} on Mutation {{ ...W{i - 1} ...W{i - 1} }}" for i in range(1, 13)
    )
    mutation = (
        "mutation Costly($records: [JSON!]!) { ...W12 } " + levels + " "
        'fragment W0 on Mutation { upsertEntities(type: "Customer", records: $records) {'
        " __typename ... on Error { code issues { code message path } } } }"
    )
    records = [{"key": "NEW", "name": "New Customer"}]
    refused = await post(client, mutation, records=records)
    assert refused["data"] is None
    assert refused["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert refused["errors"][0]["extensions"]["selections"] == 2**12 * 7
    assert (await data(client, COUNT))["entities"]["totalCount"] == before
    # the one upsert alone is cheap, and writes
    single = mutation.replace("{ ...W12 }", "{ ...W0 }").replace(levels, "")
    assert (await data(client, single, records=records))["upsertEntities"]["__typename"] == (
        "WritePayload"
    )
    assert (await data(client, COUNT))["entities"]["totalCount"] == before + 1


async def test_fields_generated_at_runtime_are_costed_from_the_served_schema(
    client: httpx.AsyncClient,
) -> None:
    await load_chain(client)
    # typed fields that exist only once the types are defined; relation lists take their
    # default first from the generated schema, so four nested hops under a page of 50
    # come to hundreds of millions
    nested = """
    query Chain($hop: Int) {
      customers(first: 50) { edges { node { key
        hasSubsidiary(first: $hop) { key employs(first: $hop) { key
          wrote(first: $hop) { key mentions(first: $hop) { key } } } }
      } } }
    }"""
    body = await post(client, nested)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == TOO_COSTLY
    assert body["errors"][0]["extensions"]["cost"] > 100 * MAX_COST
    answer = await data(client, nested, hop=2)
    acme = answer["customers"]["edges"][0]["node"]
    assert acme["key"] == "ACME"
    assert [s["key"] for s in acme["hasSubsidiary"]] == ["ACME-DE", "ACME-SH"]
