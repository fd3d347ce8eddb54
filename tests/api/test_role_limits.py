"""Limits by role: body size, page size, traversal depth, query depth, requests a minute.

The limits are the API's (the same on both backends), so these run on the embedded store.
"""

from __future__ import annotations

import json

from graph_crm.api.limits import MAX_BODY_BYTES
from graph_crm.api.role_limits import ROLE_LIMITS, RateLimiter
from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import TRAVERSE, post
from tests.contract.crm import define_crm, load_chain
from tests.contract.snapshot import snapshot

UPSERT = (
    'mutation($records: [JSON!]!) { upsertEntities(type: "Customer", records: $records)'
    " { __typename ... on WritePayload { created } } }"
)


def _body(size: int) -> bytes:
    """An upsert of 1,000-character names whose body is just over ``size`` bytes."""
    records = [{"key": f"BIG-{i}", "name": "x" * 1_000} for i in range(size // 1_000 + 1)]
    return json.dumps({"query": UPSERT, "variables": {"records": records}}).encode()


async def test_body_size_follows_the_role(embedded_store: GraphStore) -> None:
    await define_crm(embedded_store)
    analyst = ROLE_LIMITS[Role.ANALYST].body_bytes
    assert analyst < ROLE_LIMITS[Role.INTEGRATION].body_bytes == MAX_BODY_BYTES
    before = await snapshot(embedded_store)
    async with asgi_client(embedded_store, Role.ANALYST) as client:
        refused = await client.post(
            "/graphql", content=_body(analyst), headers={"content-type": "application/json"}
        )
        assert refused.status_code == 413
        assert refused.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"
        assert str(analyst) in refused.json()["error"]["message"]
    assert await snapshot(embedded_store) == before
    async with asgi_client(embedded_store, Role.INTEGRATION) as client:
        written = await client.post(
            "/graphql", content=_body(analyst), headers={"content-type": "application/json"}
        )
        created = written.json()["data"]["upsertEntities"]
        assert created == {"__typename": "WritePayload", "created": analyst // 1_000 + 1}


async def test_page_size_traversal_and_query_depth_follow_the_role(
    embedded_store: GraphStore,
) -> None:
    await load_chain(embedded_store)
    officer = ROLE_LIMITS[Role.CONFIG_OFFICER]
    analyst = ROLE_LIMITS[Role.ANALYST]
    page = f'{{ entities(type: "Customer", first: {officer.page_size + 1}) {{ totalCount }} }}'
    walk = {
        "from": ["Customer:ACME"],
        "steps": [{"relation": "HAS_SUBSIDIARY", "direction": "OUT"}],
        "maxDepth": analyst.traversal_depth + 1,
    }
    # customers > edges > node > (hasSubsidiary > hasSubsidiaryInverse) x 5 > key: 14 deep
    hops = "hasSubsidiary(first: 1) { hasSubsidiaryInverse(first: 1) { " * 5
    deep = "{ customers { edges { node { " + hops + "key" + " }" * 14
    assert analyst.query_depth < 14 <= ROLE_LIMITS[Role.ADMIN].query_depth
    async with asgi_client(embedded_store, Role.CONFIG_OFFICER) as client:
        body = await post(client, page)
        assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert body["errors"][0]["path"] == ["entities"]
    async with asgi_client(embedded_store, Role.ANALYST) as client:
        assert "errors" not in await post(client, page)
        body = await post(client, TRAVERSE, **walk)
        assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert str(analyst.traversal_depth) in body["errors"][0]["message"]
        walk["maxDepth"] = analyst.traversal_depth
        assert "errors" not in await post(client, TRAVERSE, **walk)
        body = await post(client, deep)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
        assert body["errors"][0]["extensions"]["maxDepth"] == analyst.query_depth
    async with asgi_client(embedded_store, Role.ADMIN) as client:
        assert "errors" not in await post(client, deep)


async def test_each_key_has_its_own_rate_limit(embedded_store: GraphStore) -> None:
    per_minute = ROLE_LIMITS[Role.CONFIG_OFFICER].requests_per_minute
    # a stopped clock: however slow the machine, no token comes back during the test
    limiter = RateLimiter(clock=lambda: 1_000.0)
    async with asgi_client(embedded_store, Role.CONFIG_OFFICER, rate_limiter=limiter) as client:
        for _ in range(per_minute):
            assert (
                await client.post("/graphql", json={"query": "{ schemaVersion }"})
            ).status_code == 200
        refused = await client.post("/graphql", json={"query": "{ schemaVersion }"})
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "RATE_LIMITED"
        assert 0 < int(refused.headers["retry-after"]) <= 60 / per_minute + 1
        # another key (of the same role) is not held back by this one
        async with asgi_client(embedded_store, Role.CONFIG_OFFICER, rate_limiter=limiter) as other:
            assert (
                await other.post("/graphql", json={"query": "{ schemaVersion }"})
            ).status_code == 200
