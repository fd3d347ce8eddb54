"""Who may do what: every role against every kind of root field, on both backends.

Each role runs the same operations in order on a fresh logistics graph. An allowed one
runs (no FORBIDDEN, no errors); a forbidden one is refused whole with FORBIDDEN at its
field's path, and leaves the registry and the data exactly as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLError

from graph_crm.api.access import CORE_MUTATIONS, SPECIAL_QUERIES, needed
from graph_crm.api.operation import BadOperation, select_operation
from graph_crm.api.schema import core_schema
from graph_crm.auth.roles import Permission, Role
from graph_crm.model.registry import Registry
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import (
    DEFINE_ENTITY_TYPE,
    DEFINE_POLICY,
    DEFINE_RELATION_TYPE,
    DELETE,
    DROP_POLICY,
    IMPACT_REPORT,
    LINK,
    TRAVERSE,
    UNLINK,
    UPSERT,
    post,
)
from tests.api.incident_documents import REPORT_DISRUPTION
from tests.contract.logistics import AS_OF, customs_policy, load_logistics
from tests.contract.snapshot import snapshot


@dataclass(frozen=True)
class Op:
    field: str
    needs: Permission | None  # None: any authenticated caller
    query: str
    variables: dict[str, Any]


OPERATIONS = [
    Op("__schema", None, "{ __schema { queryType { name } } }", {}),
    Op("schemaVersion", Permission.READ, "{ schemaVersion }", {}),
    Op("viewer", Permission.READ, "{ viewer { keyId name role permissions } }", {}),
    Op("typeCounts", Permission.READ, "{ typeCounts { entities { name count } } }", {}),
    Op("entityTypes", Permission.READ, "{ entityTypes { name } }", {}),
    Op("entity", Permission.READ, 'query { entity(id: "Customer:CA") { key } }', {}),
    Op("entities", Permission.READ, '{ entities(type: "Shipment") { totalCount } }', {}),
    Op(
        "traverse",
        Permission.READ,
        TRAVERSE,
        {"from": ["Warehouse:W1"], "steps": [{"relation": "ROUTED_VIA", "direction": "IN"}]},
    ),
    Op("customer", Permission.READ, '{ customer(key: "CA") { key name } }', {}),
    # through a fragment: the check sees the root fields a fragment selects too
    Op(
        "customers",
        Permission.READ,
        "{ ...F } fragment F on Query { customers { totalCount } }",
        {},
    ),
    Op("impactPolicies", Permission.READ, "{ impactPolicies { name } }", {}),
    Op(
        "auditLog",
        Permission.ADMIN,
        "{ auditLog(first: 5) { totalCount edges { cursor node { actor action ids } } } }",
        {},
    ),
    Op(
        "impactReport",
        Permission.IMPACT,
        IMPACT_REPORT,
        {"source": "Warehouse:W1", "delay": 6, "asOf": AS_OF.isoformat()},
    ),
    Op("incidents", Permission.IMPACT, "{ incidents { totalCount } }", {}),
    Op(
        "reportDisruption",
        Permission.IMPACT,
        REPORT_DISRUPTION,
        {"source": {"type": "Warehouse", "key": "W1"}, "delay": 6},
    ),
    Op(
        "defineEntityType",
        Permission.DEFINE,
        DEFINE_ENTITY_TYPE,
        {
            "input": {
                "name": "Broker",
                "labelProperty": "name",
                "properties": [{"name": "name", "kind": "STRING"}],
            }
        },
    ),
    Op(
        "defineRelationType",
        Permission.DEFINE,
        DEFINE_RELATION_TYPE,
        {"input": {"name": "CLEARS", "from": "Shipment", "to": "Warehouse"}},
    ),
    Op("dropImpactPolicy", Permission.DEFINE, DROP_POLICY, {"name": "customs-delay"}),
    Op("defineImpactPolicy", Permission.DEFINE, DEFINE_POLICY, {"policy": customs_policy()}),
    Op(
        "upsertEntities",
        Permission.WRITE,
        UPSERT,
        {"type": "Customer", "records": [{"key": "NEW", "name": "New Ltd"}]},
    ),
    Op(
        "upsertCustomers",
        Permission.WRITE,
        'mutation { upsertCustomers(records: [{key: "NEW2", name: "Two"}]) '
        "{ ... on WritePayload { created } } }",
        {},
    ),
    Op(
        "linkEntities",
        Permission.WRITE,
        LINK,
        {"relation": "FILED", "links": [{"from": "CB", "to": "F5"}]},
    ),
    Op(
        "unlinkEntities",
        Permission.WRITE,
        UNLINK,
        {"relation": "FILED", "links": [{"from": "CB", "to": "F5"}]},
    ),
    Op("deleteEntities", Permission.WRITE, DELETE, {"ids": ["Shipment:S8"]}),
    Op(
        "deleteCustomers",
        Permission.WRITE,
        'mutation { deleteCustomers(keys: ["NEW2"]) { ... on DeletePayload { entities } } }',
        {},
    ),
]


async def _state(store: GraphStore) -> tuple[int, Any]:
    return (await store.registry()).version, await snapshot(store)


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_gets_exactly_its_operations(store: GraphStore, role: Role) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    async with asgi_client(store, role) as client:
        for op in OPERATIONS:
            allowed = op.needs is None or role.allows(op.needs)
            before = None if allowed else await _state(store)
            body = await post(client, op.query, **op.variables)
            if allowed:
                assert "errors" not in body, (role, op.field, body)
                result = body["data"][op.field]
                assert not (isinstance(result, dict) and result.get("__typename") == "Error"), (
                    role,
                    op.field,
                    result,
                )
                continue
            assert op.needs is not None
            assert body["data"] is None, (role, op.field)
            [error] = body["errors"]
            assert error["extensions"]["code"] == "FORBIDDEN", (role, op.field, error)
            assert error["path"] == [op.field]
            assert role.value in error["message"]
            assert op.needs.value in error["message"]
            assert await _state(store) == before, (role, op.field)


async def test_a_document_mixing_allowed_and_forbidden_fields_runs_nothing(
    store: GraphStore,
) -> None:
    await load_logistics(store)
    before = await _state(store)
    mixed = (
        'mutation { upsertCustomers(records: [{key: "Z", name: "Z"}]) { __typename } '
        'defineEntityType(input: {name: "Zed"}) { __typename } }'
    )
    async with asgi_client(store, Role.INTEGRATION) as client:
        body = await post(client, mixed)
    assert body["data"] is None
    assert [e["path"] for e in body["errors"]] == [["defineEntityType"]]
    assert await _state(store) == before


async def test_no_credentials_no_answer(store: GraphStore) -> None:
    async with asgi_client(store, role=None) as client:
        assert (await client.get("/healthz")).status_code == 200
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
            refused = await client.post(
                "/graphql", json={"query": "{ __schema { types { name } } }"}, headers=headers
            )
            assert refused.status_code == 401, headers
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
            assert "__schema" not in refused.text
        # GET with a query needs a key too; only the GraphiQL page itself is served without
        refused = await client.get("/graphql", params={"query": "{ schemaVersion }"})
        assert refused.status_code == 401
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()


async def test_a_revoked_or_forged_key_stops_working(store: GraphStore) -> None:
    async with asgi_client(store, Role.ANALYST) as client:
        assert (await post(client, "{ schemaVersion }")) == {"data": {"schemaVersion": 0}}
        token = client.headers["authorization"].removeprefix("Bearer ")
        key_id = token.split("_")[1]
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        refused = await client.post(
            "/graphql",
            json={"query": "{ schemaVersion }"},
            headers={"authorization": f"Bearer {forged}"},
        )
        assert refused.status_code == 401
        await store.revoke_api_key(key_id, at=AS_OF)
        refused = await client.post("/graphql", json={"query": "{ schemaVersion }"})
        assert refused.status_code == 401
        assert "revoked" in refused.json()["error"]["message"]


def test_every_core_root_field_has_a_rule() -> None:
    schema = core_schema()._schema
    assert schema.mutation_type is not None
    assert set(schema.mutation_type.fields) == set(CORE_MUTATIONS)
    assert set(SPECIAL_QUERIES) <= set(schema.query_type.fields)  # type: ignore[union-attr]


def test_unknown_mutations_need_admin() -> None:
    registry = Registry()
    mutation = select_operation("mutation { somethingNew }", None)
    assert needed(mutation.kind, mutation.root_fields[0], registry) is Permission.ADMIN
    introspection = select_operation('{ __type(name: "X") { name } }', None)
    assert needed(introspection.kind, introspection.root_fields[0], registry) is None


def test_the_operation_is_chosen_once_and_strictly() -> None:
    with pytest.raises(GraphQLError, match="Syntax Error"):
        select_operation("{ broken", None)
    with pytest.raises(BadOperation, match="Must provide operation name"):
        select_operation("query A { a } query B { b }", None)
    with pytest.raises(BadOperation, match="Unknown operation named 'C'"):
        select_operation("query A { a } query B { b }", "C")
    with pytest.raises(BadOperation, match="must be a string"):
        select_operation("query A { a }", ["A"])
    chosen = select_operation("query A { a } query B { b ...F } fragment F on Q { c }", "B")
    assert chosen.root_fields == ("b", "c")
    # the executor gets B and the fragment it spreads, nothing else
    assert [d.name.value for d in chosen.document.definitions] == ["B", "F"]  # type: ignore[attr-defined]
