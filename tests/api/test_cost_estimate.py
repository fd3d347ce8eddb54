"""estimate_cost on a small hand-built schema: exact numbers, from the schema alone."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import build_schema, get_introspection_query, parse

from graph_crm.api.cost import INTROSPECTION_COST, LIST_DEFAULT_FANOUT, estimate_cost
from graph_crm.api.introspection_cost import introspection_sizes

SCHEMA = build_schema("""
type Query {
  shop(id: ID!): Shop
  shops(first: Int = 10, after: String): ShopConnection!
  tags: [String!]!
  search(limit: Int!): [Hit!]!
  node: Node
}
type Mutation { addShop(name: String!): Shop! }
interface Node { id: ID! }
type Shop implements Node {
  id: ID!
  name: String!
  products(first: Int = 5): [Product!]!
  owners: [Person!]!
}
type Product implements Node { id: ID! price: Float reviews: [Review!]! }
type Review { stars: Int! }
type Person { name: String! }
type ShopConnection { totalCount: Int! edges: [ShopEdge!]! pageInfo: PageInfo! }
type ShopEdge { cursor: String! node: Shop! }
type PageInfo { hasNextPage: Boolean! }
union Hit = Shop | Product
""")


def cost(query: str, operation_name: str | None = None, **variables: Any) -> int:
    return estimate_cost(SCHEMA, parse(query), operation_name, variables)


def test_scalars_and_single_objects_count_one_each() -> None:
    assert cost("{ tags }") == 1
    assert cost("{ shop(id: 1) { id name } }") == 3
    assert cost('mutation { addShop(name: "x") { id } }') == 2


def test_an_unbounded_list_fans_out_by_the_default() -> None:
    assert LIST_DEFAULT_FANOUT == 100
    assert cost("{ shop(id: 1) { owners { name } } }") == 1 + (1 + 100 * 1)


def test_first_given_or_defaulted_in_the_schema() -> None:
    assert cost("{ shop(id: 1) { products { id } } }") == 1 + (1 + 5 * 1)
    assert cost("{ shop(id: 1) { products(first: 20) { id price } } }") == 1 + (1 + 20 * 2)
    assert cost("{ shop(id: 1) { products(first: -3) { id } } }") == 1 + 1
    # a required limit, over a union: both members' fragments count
    query = (
        "{ search(limit: 3) { ... on Shop { name } ... on Product { price reviews { stars } } } }"
    )
    assert cost(query) == 1 + 3 * (1 + 1 + (1 + 100 * 1))


def test_lists_directly_in_a_bounded_connection_inherit_its_first() -> None:
    query = "{ shops { totalCount edges { cursor node { name } } pageInfo { hasNextPage } } }"
    assert cost(query) == 1 + 10 * (1 + (1 + (1 + (1 + 1))) + (1 + 1))
    # ...but a list on the node does not: products has its own first, owners the default
    query = "{ shops(first: 3) { edges { node { products { id } owners { name } } } } }"
    assert cost(query) == 1 + 3 * (1 + (1 + (1 + 5) + (1 + 100)))
    # the same through a named fragment
    fragment = "{ shops { ...Page } } fragment Page on ShopConnection { edges { node { id } } }"
    assert cost(fragment) == cost("{ shops { edges { node { id } } } }") == 1 + 10 * 3


def test_variables_then_operation_defaults_then_schema_defaults() -> None:
    query = "query ($n: Int) { shops(first: $n) { edges { node { id } } } }"
    assert cost(query, n=7) == 1 + 7 * 3
    assert cost(query) == 1 + 10 * 3
    assert cost(query.replace("Int)", "Int = 2)")) == 1 + 2 * 3
    assert cost(query.replace("Int)", "Int = 2)"), n=4) == 1 + 4 * 3
    # an explicit null leaves the list unbounded
    assert cost(query, n=None) == 1 + LIST_DEFAULT_FANOUT * 3
    assert cost("query ($n: Int!) { search(limit: $n) { __typename } }", n=10**6) == 1 + 10**6


def test_fragments_count_where_spread_and_are_walked_once() -> None:
    query = """
      { a: shop(id: 1) { ...Owners } b: shop(id: 2) { ... on Shop { ...Owners } } }
      fragment Owners on Shop { owners { name } }
    """
    assert cost(query) == 2 * (1 + (1 + 100))
    # 40 levels of fragments that spread the previous one twice: 2**40 tags, at once
    levels = ["fragment F0 on Query { tags }"] + [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 41)
    ]
    assert cost("{ ...F40 } " + " ".join(levels)) == 2**40


def test_skip_and_include_follow_their_variables() -> None:
    query = "query ($yes: Boolean!) { tags @skip(if: true) shop(id: 1) @include(if: $yes) { id } }"
    assert cost(query, yes=False) == 0
    assert cost(query, yes=True) == 2
    assert cost("{ shop(id: 1) { ... @skip(if: true) { owners { name } } id } }") == 2


def test_interfaces_select_through_their_implementations() -> None:
    assert cost("{ node { id ... on Shop { owners { name } } } }") == 1 + (1 + (1 + 100))


def test_graphiql_introspection_costs_the_introspection_price_whatever_the_schema() -> None:
    assert cost(get_introspection_query()) == INTROSPECTION_COST
    bigger = build_schema(
        "type Query { "
        + " ".join(f"f{i}(a: Int, b: [String!]): [T{i}!]!" for i in range(60))
        + " } "
        + " ".join(f"type T{i} {{ x: Int y: String z: [Int] }}" for i in range(60))
    )
    assert estimate_cost(bigger, parse(get_introspection_query())) == INTROSPECTION_COST
    assert cost("{ __typename shop(id: 1) { __typename } }") == 1 + (1 + 1)


def test_introspection_is_priced_by_the_schemas_sizes_and_aliases_add_up() -> None:
    sizes = introspection_sizes(SCHEMA)
    names = cost("{ __schema { types { name } } }")
    fields = cost("{ __schema { types { name fields { name type { name } } } } }")
    # a share of the whole query: 1 + types * 1 objects, against what the whole answers
    assert 0 < names < fields < INTROSPECTION_COST
    assert sizes[("__Schema", "types")] == len(SCHEMA.type_map)
    aliases = " ".join(
        f"a{i}: __schema {{ types {{ name fields {{ name type {{ name }} }} }} }}"
        for i in range(30)
    )
    assert cost("{ " + aliases + " }") == pytest.approx(30 * fields, abs=30)
    # the share follows the schema: a type with more fields makes fields cost more
    assert cost('{ __type(name: "Shop") { fields { name } } }') < names


@pytest.mark.parametrize(
    ("operation_name", "expected"), [("Tags", 1), ("Owners", 102), (None, 0), ("Missing", 0)]
)
def test_the_named_operation_is_the_one_estimated(
    operation_name: str | None, expected: int
) -> None:
    document = "query Tags { tags } query Owners { shop(id: 1) { owners { name } } }"
    assert cost(document, operation_name) == expected
