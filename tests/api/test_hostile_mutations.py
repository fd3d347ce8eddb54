"""Hostile input against every mutation (hypothesis): never a 500, never a partial write.

Names, values, nesting, sizes and encodings are drawn at random (plus a list of known
injection strings) and sent as GraphQL variables over HTTP. Whatever comes back, the
answer is a clear error or a success; after an error the store is exactly as before.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph_crm.api.schema import core_schema
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.definition_ops import (
    ADD_PROPERTY,
    ALTER_PROPERTY,
    ALTER_RELATION_TYPE,
    ALTER_TYPE_DETAILS,
    DROP_ENTITY_TYPE,
    DROP_PROPERTY,
    DROP_RELATION_TYPE,
)
from tests.api.graphql import (
    ALTER_ENTITY_TYPE,
    ALTER_POLICY,
    APPLY,
    CREATE_API_KEY,
    DEFINE_ENTITY_TYPE,
    DEFINE_POLICY,
    DEFINE_RELATION_TYPE,
    DELETE,
    DROP_POLICY,
    LINK,
    RESULT_FIELDS,
    REVOKE_API_KEY,
    UNLINK,
    UPSERT,
)
from tests.api.incident_documents import (
    ACKNOWLEDGE,
    ADD_NOTE,
    ASSIGN,
    CHECK_ACTION,
    REPORT_DISRUPTION,
    RESOLVE,
)
from tests.api.signed_events import CREATE_INTEGRATION, REVOKE_INTEGRATION
from tests.api.webhook_documents import CREATE_WEBHOOK, REPLAY_DELIVERY, REVOKE_WEBHOOK
from tests.contract.crm import load_chain
from tests.contract.snapshot import snapshot
from tests.examples import examples

INJECTIONS = [
    "'; DROP TABLE entities; --",
    '" OR 1=1 --',
    "`) DETACH DELETE n //",
    "} MATCH (n) DETACH DELETE n //",
    "Customer` {x: 1}) DETACH DELETE (n",
    "$(rm -rf /)",
    "\u0000",
    "\ud800",
    "\u202eevil",
    "../../etc/passwd",
    "Customer:ACME\u0000",
    "Customer:' OR '1'='1",
    "x" * 70_000,
]
text = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), max_size=200),
    st.sampled_from(["Customer", "Subsidiary", "HAS_SUBSIDIARY", "name", "ACME", "Customer:ACME"]),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=12,
)
records = st.lists(st.dictionaries(st.one_of(text, st.just("key")), values, max_size=5), max_size=4)
props = st.lists(
    st.fixed_dictionaries(
        {"name": text, "kind": st.sampled_from(["STRING", "INT", "ENUM", "JSON", "NOPE"])},
        optional={"values": st.lists(text, max_size=3), "default": values, "unique": st.booleans()},
    ),
    max_size=3,
)
one_property = st.fixed_dictionaries(
    {"name": text, "kind": st.sampled_from(["STRING", "INT", "ENUM", "JSON"])},
    optional={
        "values": st.lists(text, max_size=3),
        "default": values,
        "required": st.booleans(),
        "label": text,
    },
)
type_names = text | st.sampled_from(["Customer", "Subsidiary", "HAS_SUBSIDIARY"])
incident_ids = text | st.from_regex(r"inc-[0-9a-f]{16}", fullmatch=True)
patch = st.fixed_dictionaries({"type": type_names, "property": one_property})
details = st.fixed_dictionaries(
    {"type": type_names}, optional={"label": text, "description": text, "labelProperty": text}
)
operation = st.one_of(
    st.fixed_dictionaries({"addProperty": patch}),
    st.fixed_dictionaries({"alterProperty": patch}),
    st.fixed_dictionaries(
        {"dropProperty": st.fixed_dictionaries({"type": type_names, "name": text})}
    ),
    st.fixed_dictionaries({"alterTypeDetails": details}),
    st.fixed_dictionaries({"dropEntityType": type_names}),
    st.fixed_dictionaries({"dropRelationType": type_names}),
    st.dictionaries(st.sampled_from(["dropEntityType", "dropRelationType"]), text, max_size=2),
)
links = st.lists(
    st.fixed_dictionaries({"from": text, "to": text}, optional={"properties": values}),
    max_size=3,
)
APPLY_SCHEMA = f"""
mutation($document: String!, $dryRun: Boolean!, $prune: Boolean!) {{
  applySchema(document: $document, dryRun: $dryRun, prune: $prune) {{ {RESULT_FIELDS}
    ... on SchemaDocumentPayload {{ applied refusals {{ code }} }} }}
}}"""
TYPED_UPSERT = f"""
mutation($records: [CustomerInput!]!) {{
  upsertCustomers(records: $records) {{ {RESULT_FIELDS} ... on WritePayload {{ created }} }}
}}"""
TYPED_DELETE = f"""
mutation($keys: [String!]!) {{
  deleteCustomers(keys: $keys) {{ {RESULT_FIELDS} ... on DeletePayload {{ entities }} }}
}}"""
#: Every mutation of the core schema, and the typed ones of one generated type.
CASES: dict[str, tuple[str, st.SearchStrategy[dict[str, Any]]]] = {
    "defineEntityType": (
        DEFINE_ENTITY_TYPE,
        st.fixed_dictionaries(
            {"input": st.fixed_dictionaries({"name": text, "properties": props})}
        ),
    ),
    "alterEntityType": (
        ALTER_ENTITY_TYPE,
        st.fixed_dictionaries(
            {
                "input": st.fixed_dictionaries(
                    {"name": text | st.just("Customer"), "properties": props}
                )
            }
        ),
    ),
    "defineRelationType": (
        DEFINE_RELATION_TYPE,
        st.fixed_dictionaries(
            {
                "input": st.fixed_dictionaries(
                    {"name": text, "from": text, "to": text, "properties": props}
                )
            }
        ),
    ),
    "defineImpactPolicy": (DEFINE_POLICY, st.fixed_dictionaries({"policy": values})),
    "alterImpactPolicy": (ALTER_POLICY, st.fixed_dictionaries({"policy": values})),
    "dropImpactPolicy": (DROP_POLICY, st.fixed_dictionaries({"name": text})),
    "addProperty": (ADD_PROPERTY, patch),
    "alterProperty": (ALTER_PROPERTY, patch),
    "dropProperty": (
        DROP_PROPERTY,
        st.fixed_dictionaries({"type": type_names, "name": text | st.just("name")}),
    ),
    "alterTypeDetails": (ALTER_TYPE_DETAILS, st.fixed_dictionaries({"input": details})),
    "alterRelationType": (
        ALTER_RELATION_TYPE,
        st.fixed_dictionaries(
            {
                "input": st.fixed_dictionaries(
                    {"name": type_names, "from": text, "to": text, "properties": props},
                    optional={"label": text},
                )
            }
        ),
    ),
    "dropEntityType": (DROP_ENTITY_TYPE, st.fixed_dictionaries({"name": type_names})),
    "dropRelationType": (DROP_RELATION_TYPE, st.fixed_dictionaries({"name": type_names})),
    "applyDefinitions": (
        APPLY,
        st.fixed_dictionaries({"operations": st.lists(operation, max_size=4)}),
    ),
    "upsertEntities": (UPSERT, st.fixed_dictionaries({"type": text, "records": records})),
    "linkEntities": (LINK, st.fixed_dictionaries({"relation": text, "links": links})),
    "unlinkEntities": (UNLINK, st.fixed_dictionaries({"relation": text, "links": links})),
    "deleteEntities": (DELETE, st.fixed_dictionaries({"ids": st.lists(text, max_size=4)})),
    "upsertCustomers": (TYPED_UPSERT, st.fixed_dictionaries({"records": records})),
    "deleteCustomers": (TYPED_DELETE, st.fixed_dictionaries({"keys": st.lists(text, max_size=4)})),
    "applySchema": (
        APPLY_SCHEMA,
        st.fixed_dictionaries(
            {
                "document": text
                | st.builds(
                    json.dumps,
                    st.fixed_dictionaries(
                        {},
                        optional={
                            "entityTypes": st.lists(
                                st.fixed_dictionaries({"name": type_names, "properties": props}),
                                max_size=2,
                            ),
                            "relationTypes": st.lists(values, max_size=2),
                            "impactPolicies": st.lists(values, max_size=2),
                        },
                    ),
                ),
                "dryRun": st.booleans(),
                "prune": st.booleans(),
            }
        ),
    ),
    "createApiKey": (
        CREATE_API_KEY,
        st.fixed_dictionaries(
            {"name": text, "role": st.sampled_from(["ANALYST", "ADMIN", "admin"]) | text}
        ),
    ),
    "revokeApiKey": (REVOKE_API_KEY, st.fixed_dictionaries({"id": text})),
    "createIntegration": (
        CREATE_INTEGRATION,
        st.fixed_dictionaries(
            {
                "name": text,
                "eventTypes": st.lists(st.sampled_from(["DISRUPTION", "disruption"]) | text),
            }
        ),
    ),
    "revokeIntegration": (REVOKE_INTEGRATION, st.fixed_dictionaries({"id": text})),
    "createWebhook": (
        CREATE_WEBHOOK,
        st.fixed_dictionaries(
            {"name": text, "url": text | st.just("https://hooks.example.com/crm")},
            optional={
                "filter": st.fixed_dictionaries(
                    {},
                    optional={
                        "sources": st.lists(text, max_size=3),
                        "sourceTypes": st.lists(text | type_names, max_size=3),
                        "incidentIds": st.lists(text | incident_ids, max_size=3),
                    },
                )
            },
        ),
    ),
    "revokeWebhook": (REVOKE_WEBHOOK, st.fixed_dictionaries({"id": text})),
    "replayDelivery": (REPLAY_DELIVERY, st.fixed_dictionaries({"id": text})),
    "reportDisruption": (
        REPORT_DISRUPTION,
        st.fixed_dictionaries(
            {
                "source": st.fixed_dictionaries(
                    {"type": type_names | st.just("Warehouse"), "key": text}
                ),
                "delay": st.floats(allow_nan=False, allow_infinity=False) | st.just(3.0),
            },
            optional={"startsAt": text, "note": text},
        ),
    ),
    "acknowledgeIncident": (ACKNOWLEDGE, st.fixed_dictionaries({"id": incident_ids})),
    "resolveIncident": (RESOLVE, st.fixed_dictionaries({"id": incident_ids})),
    "assignIncident": (ASSIGN, st.fixed_dictionaries({"id": incident_ids, "owner": text})),
    "addIncidentNote": (ADD_NOTE, st.fixed_dictionaries({"id": incident_ids, "text": text})),
    "checkIncidentAction": (
        CHECK_ACTION,
        st.fixed_dictionaries(
            {"id": incident_ids, "target": text, "action": text, "done": st.booleans()}
        ),
    ),
}
HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


def test_every_core_mutation_is_covered() -> None:
    mutation = core_schema()._schema.mutation_type
    assert mutation is not None
    assert set(mutation.fields) <= set(CASES)


async def _send(client: httpx.AsyncClient, query: str, variables: dict[str, Any]) -> httpx.Response:
    # ASCII JSON, as any client may send: lone surrogates and NaN travel as escapes/tokens
    body = json.dumps({"query": query, "variables": variables})
    return await client.post("/graphql", content=body, headers={"content-type": "application/json"})


def _codes(value: Any) -> set[str]:
    """Every ``code`` in an answer, at any depth (errors, their extensions, payloads)."""
    if isinstance(value, dict):
        found = {value["code"]} if isinstance(value.get("code"), str) else set()
        return found.union(*(_codes(item) for item in value.values()))
    if isinstance(value, list):
        return set().union(*(_codes(item) for item in value))
    return set()


def _failed(field: str, response: httpx.Response) -> bool:
    assert response.status_code in (200, 400, 413), (response.status_code, response.text[:300])
    body = response.json()
    # an input may be the text "INTERNAL" and be echoed in a message: look at the codes
    assert "INTERNAL" not in _codes(body), response.text[:500]
    if response.status_code != 200 or body.get("errors") or body.get("data") is None:
        return True
    result = body["data"][field]
    if field == "applySchema" and result["__typename"] != "Error":
        return not result["applied"]  # a dry run, a refusal or nothing to do: no change
    return bool(result["__typename"] == "Error")


class Expected:
    """The store's expected state between the examples of one test, which share its store
    (the fixture is function-scoped: one per test, not per example)."""

    def __init__(self) -> None:
        self.snapshot: list[Any] | None = None


async def _state(store: GraphStore) -> list[Any]:
    """The graph's export, and the incidents, integrations and webhooks (stored beside the
    graph)."""
    incidents = (await store.incidents(first=200)).items
    stored_beside = [*incidents, *await store.integrations(), *await store.webhooks()]
    return [*await snapshot(store), *stored_beside]


@pytest.fixture
def expected() -> Expected:
    return Expected()


async def _attack(
    store: GraphStore, expected: Expected, field: str, variables: dict[str, Any]
) -> None:
    query, _ = CASES[field]
    if expected.snapshot is None:
        await load_chain(store)
        expected.snapshot = await _state(store)
    async with asgi_client(store) as client:
        response = await _send(client, query, variables)
    if _failed(field, response):
        assert await _state(store) == expected.snapshot, (field, variables)
    else:
        expected.snapshot = await _state(store)


@pytest.mark.parametrize("field", sorted(CASES))
@settings(max_examples=examples(40), deadline=None, suppress_health_check=HEALTH)
@given(data=st.data())
async def test_embedded_survives_hostile_input(
    embedded_store: GraphStore, expected: Expected, field: str, data: st.DataObject
) -> None:
    await _attack(embedded_store, expected, field, data.draw(CASES[field][1]))


@pytest.mark.neo4j
@pytest.mark.parametrize("field", sorted(CASES))
# each example exports the whole store (twice on a refusal): fewer on Neo4j
@settings(max_examples=examples(10), deadline=None, suppress_health_check=HEALTH)
@given(data=st.data())
async def test_neo4j_survives_hostile_input(
    neo4j_store: GraphStore, expected: Expected, field: str, data: st.DataObject
) -> None:
    await _attack(neo4j_store, expected, field, data.draw(CASES[field][1]))


async def test_a_lone_surrogate_is_refused_and_a_pair_is_text(embedded_store: GraphStore) -> None:
    await load_chain(embedded_store)
    before = await snapshot(embedded_store)
    async with asgi_client(embedded_store) as client:
        refused = await _send(client, UPSERT, {"type": "Customer", "records": [{"\ud800": 1}]})
        assert refused.status_code == 400
        assert "surrogate" in refused.json()["error"]["message"]
        assert await snapshot(embedded_store) == before
        # an escaped pair is one character (U+1F600), stored and answered as text
        written = await _send(
            client,
            UPSERT,
            {"type": "Customer", "records": [{"key": "EMOJI", "name": "\U0001f600"}]},
        )
        assert written.json()["data"]["upsertEntities"]["created"] == 1
        found = await client.post("/graphql", json={"query": '{ customer(key: "EMOJI") { name } }'})
        assert found.json() == {"data": {"customer": {"name": "\U0001f600"}}}
