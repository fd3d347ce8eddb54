"""Talking GraphQL over HTTP in tests, and the brief's CRM loaded through the API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.contract.crm import CHAIN_ENTITIES, CHAIN_LINKS, CRM_ENTITY_TYPES, RELATIONS


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
APPLY = f"""
mutation Apply($operations: [DefinitionOperationInput!]!) {{
  applyDefinitions(operations: $operations) {{
    {RESULT_FIELDS}
    ... on DefinitionsPayload {{ schemaVersion changes {{ version step kind name actor }} }}
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


CRM_OPERATIONS: list[dict[str, Any]] = [
    *({"defineEntityType": definition} for definition in CRM_ENTITY_TYPES),
    *({"defineRelationType": relation} for relation in RELATIONS),
]


async def define_crm(client: httpx.AsyncClient) -> int:
    """The CRM's types in one ``applyDefinitions`` request: one registry change, whose
    version this returns."""
    applied = await succeed(client, APPLY, "applyDefinitions", operations=CRM_OPERATIONS)
    assert len(applied["changes"]) == len(CRM_OPERATIONS)
    version: int = applied["schemaVersion"]
    return version


ENTITIES_DATA: dict[str, list[dict[str, Any]]] = CHAIN_ENTITIES
#: ``CHAIN_LINKS`` but PARENT_OF, one link naming its ends by global id ("<Type>:<key>").
LINKS_DATA: dict[str, list[dict[str, Any]]] = {
    **{relation: links for relation, links in CHAIN_LINKS.items() if relation != "PARENT_OF"},
    "HAS_SUBSIDIARY": [
        CHAIN_LINKS["HAS_SUBSIDIARY"][0],
        {"from": "Customer:ACME", "to": "Subsidiary:ACME-DE", "properties": {"share": 0.51}},
        CHAIN_LINKS["HAS_SUBSIDIARY"][2],
    ],
}


def _load_document() -> str:
    """One mutation document writing ``ENTITIES_DATA`` then ``LINKS_DATA``: an aliased
    ``upsertEntities`` / ``linkEntities`` field per type (mutation fields run in order,
    each its own write)."""
    parameters: list[str] = []
    fields: list[str] = []
    for index in range(len(ENTITIES_DATA)):
        parameters.append(f"$type{index}: String!, $records{index}: [JSON!]!")
        fields.append(
            f"e{index}: upsertEntities(type: $type{index}, records: $records{index}) "
            f"{{ {RESULT_FIELDS} ... on WritePayload {{ created }} }}"
        )
    for index in range(len(LINKS_DATA)):
        parameters.append(f"$relation{index}: String!, $links{index}: [LinkInput!]!")
        fields.append(
            f"l{index}: linkEntities(relation: $relation{index}, links: $links{index}) "
            f"{{ {RESULT_FIELDS} ... on WritePayload {{ created }} }}"
        )
    return f"mutation Load({', '.join(parameters)}) {{\n  " + "\n  ".join(fields) + "\n}"


LOAD_CHAIN = _load_document()


async def load_chain(client: httpx.AsyncClient) -> None:
    """The contract suite's CRM, defined and loaded through GraphQL only: the types in one
    request, the data in another (a write per type and relation, in order)."""
    await define_crm(client)
    variables: dict[str, Any] = {}
    expected: dict[str, int] = {}
    for index, (type_name, records) in enumerate(ENTITIES_DATA.items()):
        variables |= {f"type{index}": type_name, f"records{index}": records}
        expected[f"e{index}"] = len(records)
    for index, (relation, links) in enumerate(LINKS_DATA.items()):
        variables |= {f"relation{index}": relation, f"links{index}": links}
        expected[f"l{index}"] = len(links)
    written = await data(client, LOAD_CHAIN, **variables)
    assert {alias: result.get("created") for alias, result in written.items()} == expected, written


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
