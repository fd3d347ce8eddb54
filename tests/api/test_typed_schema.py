"""The generated, typed schema: objects, relation fields, typed filters, pages, mutations."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.graphql import (
    DEFINE_ENTITY_TYPE,
    DEFINE_RELATION_TYPE,
    RESULT_FIELDS,
    data,
    mutate,
    post,
)
from tests.api.scenario import load_typed, run_scenario, typed_upsert


async def test_the_briefs_scenario_in_typed_form(client: httpx.AsyncClient) -> None:
    await run_scenario(client)


CUSTOMERS = """
query Customers($where: CustomerWhere, $orderBy: [CustomerOrderBy!], $first: Int, $after: String) {
  customers(where: $where, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { cursor node { key tier revenue since } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def keys(client: httpx.AsyncClient, **variables: Any) -> list[str]:
    page = (await data(client, CUSTOMERS, **variables))["customers"]
    return [edge["node"]["key"] for edge in page["edges"]]


async def test_typed_filters_orders_and_pages(client: httpx.AsyncClient) -> None:
    await load_typed(client)
    everyone = ["ACME", "ACME-HOLD", "BETA"]
    assert await keys(client, where={}) == everyone
    assert await keys(client, where={"AND": [], "name": {"eq": None}}) == everyone
    assert await keys(client, where={"tier": {"eq": "GOLD"}}) == ["ACME", "ACME-HOLD"]
    assert await keys(client, where={"tier": {"in": ["SILVER"]}}) == ["BETA"]
    assert await keys(client, where={"revenue": {"isNull": True}}) == ["ACME-HOLD"]
    assert await keys(client, where={"since": {"lt": "2020-01-01"}}) == ["ACME"]
    assert await keys(client, where={"name": {"startsWith": "上海"}}) == ["ACME"]
    either = {"OR": [{"key": {"eq": "BETA"}}, {"NOT": {"tier": {"ne": "GOLD"}}}]}
    assert await keys(client, where=either) == ["ACME", "ACME-HOLD", "BETA"]
    both = {"AND": [{"tier": {"eq": "GOLD"}}, {"revenue": {"gte": 1000}}]}
    assert await keys(client, where=both) == ["ACME"]
    # Relation quantifiers, both ways along HAS_SUBSIDIARY and on a nested level.
    some_cn = {"hasSubsidiary": {"some": {"country": {"eq": "CN"}}}}
    assert await keys(client, where=some_cn) == ["ACME"]
    assert await keys(client, where={"hasSubsidiary": {"none": {}}}) == ["ACME-HOLD"]
    austria = {"hasSubsidiary": {"some": {"employs": {"some": {"name": {"eq": "Kurt"}}}}}}
    assert await keys(client, where=austria) == ["BETA"]

    descending = [{"field": "revenue", "direction": "DESC"}]
    first = (await data(client, CUSTOMERS, orderBy=descending, first=2))["customers"]
    # Missing values come first when descending, as everywhere else.
    assert [e["node"]["key"] for e in first["edges"]] == ["ACME-HOLD", "ACME"]
    assert first["totalCount"] == 3
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await keys(client, orderBy=descending, first=2, after=first["pageInfo"]["endCursor"])
    assert rest == ["BETA"]
    acme = (await data(client, CUSTOMERS, where={"key": {"eq": "ACME"}}))["customers"]
    assert acme["edges"][0]["node"] == {
        "key": "ACME",
        "tier": "GOLD",
        "revenue": 1.5e6,
        "since": "2019-03-01",
    }


RELATIONS_QUERY = """
{
  customer(key: "ACME") {
    id
    hasSubsidiaryEdges(orderBy: [{field: country, direction: DESC}]) {
      share
      createdAt
      node { key hasSubsidiaryInverse { key } }
    }
    firstOnly: hasSubsidiary(first: 1) { key }
    filtered: hasSubsidiary(where: {country: {eq: "DE"}}) { key }
  }
  missing: customer(key: "NOBODY") { key }
  competitor(key: "GLOBEX") { mentionsInverse(orderBy: [{field: at}]) { key } }
}"""


async def test_relation_fields_both_ways_with_properties(client: httpx.AsyncClient) -> None:
    await load_typed(client)
    answer = await data(client, RELATIONS_QUERY)
    acme = answer["customer"]
    assert acme["id"] == "Customer:ACME"
    edges = acme["hasSubsidiaryEdges"]
    assert [(e["node"]["key"], e["share"]) for e in edges] == [
        ("ACME-DE", 0.51),
        ("ACME-SH", 1.0),
    ]
    assert all(e["node"]["hasSubsidiaryInverse"] == [{"key": "ACME"}] for e in edges)
    assert edges[0]["createdAt"].endswith("Z")
    assert acme["firstOnly"] == [{"key": "ACME-DE"}]
    assert acme["filtered"] == [{"key": "ACME-DE"}]
    assert answer["missing"] is None
    assert answer["competitor"] == {"mentionsInverse": [{"key": "L1"}, {"key": "L3"}]}


DELETE_BUYERS = f"""
mutation Drop($keys: [String!]!) {{
  deleteBuyers(keys: $keys) {{ {RESULT_FIELDS} ... on DeletePayload {{ entities relations }} }}
}}"""


async def test_typed_mutations_check_values_and_write_nothing_on_error(
    client: httpx.AsyncClient,
) -> None:
    await load_typed(client)
    upsert_customers = typed_upsert("Customer")
    # Not an enum value: refused by GraphQL itself, before anything runs.
    body = await post(
        client, upsert_customers, records=[{"key": "X", "name": "x", "tier": "GOLDEN"}]
    )
    assert "errors" in body
    assert "GOLDEN" in body["errors"][0]["message"]
    assert body.get("data") is None
    # A required property left out is refused the same way.
    body = await post(client, upsert_customers, records=[{"key": "X"}])
    assert "errors" in body
    assert "name" in body["errors"][0]["message"]
    # A model rule (a duplicate unique email in the batch) comes back as an Error result.
    rows = [
        {"key": "NEW-1", "name": "一", "email": "same@x.cn"},
        {"key": "NEW-2", "name": "二", "email": "same@x.cn"},
    ]
    failed = (await data(client, upsert_customers, records=rows))["result"]
    assert failed["__typename"] == "Error"
    assert failed["code"] == "UNIQUE_VIOLATION"
    assert await keys(client) == ["ACME", "ACME-HOLD", "BETA"]
    # A bad key is an Error too, located at its row.
    failed = (await data(client, DELETE_BUYERS, keys=["B1", ""]))["deleteBuyers"]
    assert (failed["code"], failed["path"]) == ("INVALID_INPUT", ["keys", "1"])
    deleted = (await data(client, DELETE_BUYERS, keys=["B1", "NOBODY"]))["deleteBuyers"]
    assert deleted == {"__typename": "DeletePayload", "entities": 1, "relations": 2}


async def test_generated_names_cannot_collide(client: httpx.AsyncClient) -> None:
    await load_typed(client)
    clashes = [
        ({"name": "Traverse"}, "traverse"),  # a core query field
        ({"name": "Customers"}, "customers"),  # Customer's list field
        ({"name": "CustomerTier"}, "CustomerTier"),  # Customer's enum
    ]
    for definition, generated in clashes:
        result = await mutate(client, DEFINE_ENTITY_TYPE, "defineEntityType", input=definition)
        assert result["code"] == "NAME_COLLISION", result
        assert repr(generated) in result["message"]
    # A relation whose field would shadow a property of its from-type.
    shadow = {"name": "TIER", "from": "Customer", "to": "Buyer"}
    result = await mutate(client, DEFINE_RELATION_TYPE, "defineRelationType", input=shadow)
    assert result["code"] == "NAME_COLLISION"
    assert "'tier'" in result["message"]
    assert "Customer" in result["message"]
    types = (await data(client, "{ entityTypes { name } }"))["entityTypes"]
    assert "Traverse" not in [t["name"] for t in types]


async def test_page_sizes_are_capped(client: httpx.AsyncClient) -> None:
    await load_typed(client)
    body = await post(client, CUSTOMERS, first=501)
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    body = await post(client, '{ customer(key: "ACME") { hasSubsidiary(first: 1000) { key } } }')
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert body["data"] == {"customer": None}


HOSTILE = "x' OR 1=1 --`}]) DETACH DELETE n // \"; DROP TABLE entities; --"


async def test_hostile_text_in_typed_arguments_is_only_ever_a_value(
    client: httpx.AsyncClient,
) -> None:
    await load_typed(client)
    assert await keys(client, where={"name": {"eq": HOSTILE}}) == []
    assert await keys(client, where={"key": {"in": [HOSTILE, "BETA"]}}) == ["BETA"]
    assert await keys(client, where={"hasSubsidiary": {"some": {"name": {"contains": "`"}}}}) == []
    lookup = "query($key: String!) { customer(key: $key) { key } }"
    assert await data(client, lookup, key=HOSTILE) == {"customer": None}
    # A field that is not generated cannot be named at all: GraphQL refuses the document.
    body = await post(client, CUSTOMERS, orderBy=[{"field": "name`) DETACH DELETE n //"}])
    assert "errors" in body
    assert body.get("data") is None
    assert await keys(client) == ["ACME", "ACME-HOLD", "BETA"]
    count = "{ subsidiaries { totalCount } buyers { totalCount } }"
    assert await data(client, count) == {
        "subsidiaries": {"totalCount": 3},
        "buyers": {"totalCount": 3},
    }
