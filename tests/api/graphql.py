"""Talking GraphQL over HTTP in tests, and the brief's CRM loaded through the API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.contract.crm import BUYER, CHAT_LOG, COMPETITOR, CUSTOMER, RELATIONS, SUBSIDIARY


async def post(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """The whole GraphQL response body (``data`` and maybe ``errors``)."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


async def data(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """``data`` of a request that must not fail."""
    body = await post(client, query, **variables)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


RESULT_FIELDS = """
    __typename
    ... on Error { code message path issues { code message path } }
"""
DEFINE_ENTITY_TYPE = f"""
mutation Define($input: EntityTypeInput!) {{
  defineEntityType(input: $input) {{
    {RESULT_FIELDS}
    ... on EntityTypePayload {{
      schemaVersion
      entityType {{ name description properties {{ name kind required unique default values }} }}
    }}
  }}
}}"""
ALTER_ENTITY_TYPE = DEFINE_ENTITY_TYPE.replace("defineEntityType", "alterEntityType")
DEFINE_RELATION_TYPE = f"""
mutation Define($input: RelationTypeInput!) {{
  defineRelationType(input: $input) {{
    {RESULT_FIELDS}
    ... on RelationTypePayload {{
      schemaVersion
      relationType {{ name from to properties {{ name kind values }} }}
    }}
  }}
}}"""
UPSERT = f"""
mutation Upsert($type: String!, $records: [JSON!]!) {{
  upsertEntities(type: $type, records: $records) {{
    {RESULT_FIELDS}
    ... on WritePayload {{ created updated unchanged }}
  }}
}}"""
LINK = f"""
mutation Link($relation: String!, $links: [LinkInput!]!) {{
  linkEntities(relation: $relation, links: $links) {{
    {RESULT_FIELDS}
    ... on WritePayload {{ created updated unchanged }}
  }}
}}"""
UNLINK = f"""
mutation Unlink($relation: String!, $links: [LinkInput!]!) {{
  unlinkEntities(relation: $relation, links: $links) {{
    {RESULT_FIELDS}
    ... on UnlinkPayload {{ removed }}
  }}
}}"""
DELETE = f"""
mutation Delete($ids: [ID!]!) {{
  deleteEntities(ids: $ids) {{
    {RESULT_FIELDS}
    ... on DeletePayload {{ entities relations }}
  }}
}}"""
ENTITY = """
query One($id: ID!) { entity(id: $id) { id type key properties createdAt updatedAt } }"""
ENTITIES = """
query Page($type: String!, $where: JSON, $orderBy: [OrderByInput!], $first: Int!, $after: String) {
  entities(type: $type, where: $where, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    edges { cursor node { id key properties } }
    pageInfo { hasNextPage endCursor }
  }
}"""
TRAVERSE = """
query Walk($from: [ID!]!, $steps: [StepInput!]!, $maxDepth: Int) {
  traverse(from: $from, steps: $steps, maxDepth: $maxDepth) {
    reached { id properties }
    paths { target entityIds hops { relation direction } }
    truncated
  }
}"""


async def mutate(
    client: httpx.AsyncClient, query: str, field: str, **variables: Any
) -> dict[str, Any]:
    """The result object of a one-field mutation (a payload or an ``Error``)."""
    result: dict[str, Any] = (await data(client, query, **variables))[field]
    return result


async def succeed(
    client: httpx.AsyncClient, query: str, field: str, **variables: Any
) -> dict[str, Any]:
    result = await mutate(client, query, field, **variables)
    assert result["__typename"] != "Error", result
    return result


async def define_crm(client: httpx.AsyncClient) -> None:
    for definition in (CUSTOMER, SUBSIDIARY, BUYER, CHAT_LOG, COMPETITOR):
        await succeed(client, DEFINE_ENTITY_TYPE, "defineEntityType", input=definition)
    for relation in RELATIONS:
        await succeed(client, DEFINE_RELATION_TYPE, "defineRelationType", input=relation)


ENTITIES_DATA: dict[str, list[dict[str, Any]]] = {
    "Customer": [
        {
            "key": "ACME",
            "name": "上海阿克米贸易有限公司",
            "tier": "GOLD",
            "revenue": 1.5e6,
            "since": "2019-03-01",
            "email": "ops@acme.cn",
        },
        {"key": "BETA", "name": "Beta GmbH", "tier": "SILVER", "revenue": 2.0e5},
        {"key": "ACME-HOLD", "name": "ACME Holding", "tier": "GOLD"},
    ],
    "Subsidiary": [
        {"key": "ACME-SH", "name": "阿克米上海", "country": "CN"},
        {"key": "ACME-DE", "name": "ACME Deutschland", "country": "DE"},
        {"key": "BETA-AT", "name": "Beta Austria", "country": "AT"},
    ],
    "Buyer": [
        {"key": "B1", "name": "王伟"},
        {"key": "B2", "name": "Anna"},
        {"key": "B3", "name": "Kurt"},
    ],
    "ChatLog": [
        {"key": "L1", "at": "2026-10-01T09:00:00Z", "text": "对比了 Globex 的报价"},
        {"key": "L2", "at": "2026-06-01T09:00:00+02:00", "text": "Initech is cheaper"},
        {"key": "L3", "at": "2026-11-01T12:00:00Z", "text": "Globex again"},
        {"key": "L4", "at": "2026-11-02T12:00:00Z", "text": "Beta talks about Umbrella"},
    ],
    "Competitor": [
        {"key": "GLOBEX", "name": "Globex"},
        {"key": "INITECH", "name": "Initech"},
        {"key": "UMBRELLA", "name": "Umbrella"},
    ],
}
LINKS_DATA: dict[str, list[dict[str, Any]]] = {
    "HAS_SUBSIDIARY": [
        {"from": "ACME", "to": "ACME-SH", "properties": {"share": 1.0}},
        {"from": "Customer:ACME", "to": "Subsidiary:ACME-DE", "properties": {"share": 0.51}},
        {"from": "BETA", "to": "BETA-AT"},
    ],
    "EMPLOYS": [
        {"from": "ACME-SH", "to": "B1"},
        {"from": "ACME-DE", "to": "B2"},
        {"from": "BETA-AT", "to": "B3"},
    ],
    "WROTE": [
        {"from": "B1", "to": "L1"},
        {"from": "B2", "to": "L2"},
        {"from": "B2", "to": "L3"},
        {"from": "B3", "to": "L4"},
    ],
    "MENTIONS": [
        {"from": "L1", "to": "GLOBEX", "properties": {"sentiment": "NEGATIVE"}},
        {"from": "L2", "to": "INITECH"},
        {"from": "L3", "to": "GLOBEX"},
        {"from": "L4", "to": "UMBRELLA"},
    ],
}


async def load_chain(client: httpx.AsyncClient) -> None:
    """The contract suite's CRM, defined and loaded through GraphQL only."""
    await define_crm(client)
    for type_name, records in ENTITIES_DATA.items():
        written = await succeed(client, UPSERT, "upsertEntities", type=type_name, records=records)
        assert written["created"] == len(records)
    for relation, links in LINKS_DATA.items():
        linked = await succeed(client, LINK, "linkEntities", relation=relation, links=links)
        assert linked["created"] == len(links)


AUDIT_LOG = """
query Audit($since: DateTime, $actor: String, $type: String, $first: Int!, $after: String) {
  auditLog(since: $since, actor: $actor, type: $type, first: $first, after: $after) {
    totalCount
    edges { cursor node { id at actor action kind type ids before after summary } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def read_log(
    client: httpx.AsyncClient, query: str = AUDIT_LOG, **filters: Any
) -> list[dict[str, Any]]:
    """Every record ``filters`` match, two at a time, asked with ``query``."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await data(client, query, **filters, first=2, after=after))["auditLog"]
        nodes.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


DEFINE_POLICY = f"""
mutation Define($policy: JSON!) {{
  defineImpactPolicy(policy: $policy) {{
    {RESULT_FIELDS}
    ... on ImpactPolicyPayload {{ schemaVersion policy {{ name source target description }} }}
  }}
}}"""


ALTER_POLICY = DEFINE_POLICY.replace("defineImpactPolicy", "alterImpactPolicy")


DROP_POLICY = f"""
mutation Drop($name: String!) {{
  dropImpactPolicy(name: $name) {{ {RESULT_FIELDS} ... on ImpactPolicyPayload {{ schemaVersion }} }}
}}"""


IMPACT_REPORT = """
query Report($source: ID!, $delay: Float!, $asOf: String, $limit: Int) {
  impactReport(source: $source, delayDays: $delay, policy: "customs-delay", asOf: $asOf,
               limit: $limit) {
    policy policyVersion source sourceLabel delayDays asOf truncated
    totals { affected exposureAtRisk predictedBreaches byTier { tier label rule count } }
    targets {
      rank target label tier tierLabel tierRule score slaBufferDays slaDeadline slaEntity
      breachPredicted complaints exposure exposureEntities pathCount actions explanation
      components { name value weight contribution reason }
      paths { id label }
    }
  }
}"""


KEY_FIELDS = "id name role createdAt createdBy revokedAt active"
API_KEYS = f"query Keys($all: Boolean!) {{ apiKeys(includeRevoked: $all) {{ {KEY_FIELDS} }} }}"
CREATE_API_KEY = f"""
mutation Create($name: String!, $role: ApiKeyRole!) {{
  createApiKey(name: $name, role: $role) {{
    {RESULT_FIELDS}
    ... on ApiKeyCreatePayload {{ token apiKey {{ {KEY_FIELDS} }} }}
  }}
}}"""
REVOKE_API_KEY = f"""
mutation Revoke($id: ID!) {{
  revokeApiKey(id: $id) {{
    {RESULT_FIELDS}
    ... on ApiKeyRevokePayload {{ alreadyRevoked ownKey apiKey {{ {KEY_FIELDS} }} }}
  }}
}}"""
