"""The product brief's scenario, through GraphQL over HTTP only, in the typed schema.

Shared by the ASGI tests (both backends) and the real uvicorn test.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.graphql import (
    DEFINE_ENTITY_TYPE,
    DEFINE_RELATION_TYPE,
    ENTITIES_DATA,
    LINK,
    LINKS_DATA,
    RESULT_FIELDS,
    data,
    define_crm,
    succeed,
)

#: "The last 90 days" as of the day the data describes (2026-11-23).
SINCE = "2026-08-25T00:00:00Z"

UPSERTS = {
    "Customer": "upsertCustomers(records: $records)",
    "Subsidiary": "upsertSubsidiaries(records: $records)",
    "Buyer": "upsertBuyers(records: $records)",
    "ChatLog": "upsertChatLogs(records: $records)",
    "Competitor": "upsertCompetitors(records: $records)",
}


def typed_upsert(type_name: str) -> str:
    field = UPSERTS[type_name]
    return f"""
mutation Load($records: [{type_name}Input!]!) {{
  result: {field} {{
    {RESULT_FIELDS}
    ... on WritePayload {{ created updated unchanged }}
  }}
}}"""


#: One query: each path from the customer down to the competitors mentioned lately.
COMPETITORS_BY_PATH = """
query Competitors($key: String!, $since: DateTime!) {
  customer(key: $key) {
    name
    hasSubsidiary(first: 20) {
      name
      employs(first: 20) {
        name
        wrote(where: {at: {gte: $since}}, orderBy: [{field: at}], first: 50) {
          key
          at
          mentionsEdges(first: 10) { sentiment node { key name } }
        }
      }
    }
  }
}"""
#: The same question as one flat, de-duplicated list, with relation quantifiers.
COMPETITORS_FLAT = """
query Competitors($key: String!, $since: DateTime!) {
  competitors(
    where: {mentionsInverse: {some: {
      at: {gte: $since},
      wroteInverse: {some: {employsInverse: {some: {hasSubsidiaryInverse: {some: {
        key: {eq: $key}}}}}}}}}}
    orderBy: [{field: name}]
  ) {
    totalCount
    edges { node { key name } }
  }
}"""


async def load_typed(client: httpx.AsyncClient) -> None:
    """Define the brief's types, then load them with the generated typed mutations."""
    await define_crm(client)
    for type_name, records in ENTITIES_DATA.items():
        result = (await data(client, typed_upsert(type_name), records=records))["result"]
        assert result == {
            "__typename": "WritePayload",
            "created": len(records),
            "updated": 0,
            "unchanged": 0,
        }
    for relation, links in LINKS_DATA.items():
        await succeed(client, LINK, "linkEntities", relation=relation, links=links)


def competitors_on_paths(customer: dict[str, Any]) -> list[tuple[str, str, str, str, Any]]:
    """(subsidiary, buyer, chat log, competitor key, sentiment) along every path."""
    return [
        (sub["name"], buyer["name"], log["key"], edge["node"]["key"], edge["sentiment"])
        for sub in customer["hasSubsidiary"]
        for buyer in sub["employs"]
        for log in buyer["wrote"]
        for edge in log["mentionsEdges"]
    ]


CUSTOMS_BROKER = {
    "name": "CustomsBroker",
    "description": "Clears goods through customs for customers",
    "properties": [
        {"name": "name", "kind": "STRING", "required": True},
        {"name": "licence", "kind": "STRING", "unique": True},
        {"name": "ports", "kind": "JSON"},
    ],
}
CLEARS_FOR = {"name": "CLEARS_FOR", "from": "CustomsBroker", "to": "Customer"}
BROKER_QUERY = """
query Broker($key: String!) {
  customsBroker(key: $key) { key name licence clearsFor { key name } }
  customer(key: "ACME") { clearsForInverse { key name } }
  __type(name: "CustomsBroker") { fields { name } }
}"""
UPSERT_BROKERS = f"""
mutation Load($records: [CustomsBrokerInput!]!) {{
  upsertCustomsBrokers(records: $records) {{
    {RESULT_FIELDS}
    ... on WritePayload {{ created }}
  }}
}}"""


async def run_scenario(client: httpx.AsyncClient) -> None:
    await load_typed(client)

    found = await data(client, COMPETITORS_BY_PATH, key="ACME", since=SINCE)
    customer = found["customer"]
    assert customer["name"] == "上海阿克米贸易有限公司"
    # L2 (June) is older than 90 days, so Initech is not on any path.
    # Subsidiaries come in key order: ACME-DE before ACME-SH.
    assert competitors_on_paths(customer) == [
        ("ACME Deutschland", "Anna", "L3", "GLOBEX", None),
        ("阿克米上海", "王伟", "L1", "GLOBEX", "NEGATIVE"),
    ]
    flat = await data(client, COMPETITORS_FLAT, key="ACME", since=SINCE)
    assert flat["competitors"] == {
        "totalCount": 1,
        "edges": [{"node": {"key": "GLOBEX", "name": "Globex"}}],
    }
    beta = await data(client, COMPETITORS_FLAT, key="BETA", since=SINCE)
    assert [e["node"]["key"] for e in beta["competitors"]["edges"]] == ["UMBRELLA"]

    # A new type at runtime: the same server process serves it typed on the next request.
    await succeed(client, DEFINE_ENTITY_TYPE, "defineEntityType", input=CUSTOMS_BROKER)
    await succeed(client, DEFINE_RELATION_TYPE, "defineRelationType", input=CLEARS_FOR)
    broker = {"key": "CB-1", "name": "鹿特丹清关行", "licence": "NL-778", "ports": ["RTM"]}
    loaded = await data(client, UPSERT_BROKERS, records=[broker])
    assert loaded["upsertCustomsBrokers"] == {"__typename": "WritePayload", "created": 1}
    await succeed(
        client, LINK, "linkEntities", relation="CLEARS_FOR", links=[{"from": "CB-1", "to": "ACME"}]
    )
    answer = await data(client, BROKER_QUERY, key="CB-1")
    assert answer["customsBroker"] == {
        "key": "CB-1",
        "name": "鹿特丹清关行",
        "licence": "NL-778",
        "clearsFor": [{"key": "ACME", "name": "上海阿克米贸易有限公司"}],
    }
    assert answer["customer"] == {"clearsForInverse": [{"key": "CB-1", "name": "鹿特丹清关行"}]}
    fields = {field["name"] for field in answer["__type"]["fields"]}
    assert {"id", "key", "createdAt", "updatedAt", "name", "licence", "ports"} <= fields
    assert {"clearsFor", "clearsForEdges"} <= fields
