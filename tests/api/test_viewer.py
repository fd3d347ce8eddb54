"""``viewer``: every role learns who its key is and what its role may do; a bad, forged or
revoked key learns nothing, on both backends, over HTTP."""

from __future__ import annotations

import pytest

from graph_crm.auth.roles import Permission, Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import post
from tests.contract.logistics import AS_OF

VIEWER = "{ viewer { keyId name role permissions } }"


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_sees_its_key_name_role_and_permissions(
    store: GraphStore, role: Role
) -> None:
    async with asgi_client(store, role) as client:
        token = client.headers["authorization"].removeprefix("Bearer ")
        body = await post(client, VIEWER)
    assert body == {
        "data": {
            "viewer": {
                "keyId": token.split("_")[1],
                "name": f"tests-{role.value}",
                "role": role.value,
                "permissions": [p.value for p in Permission if role.allows(p)],
            }
        }
    }


async def test_the_admin_holds_every_permission_and_the_analyst_only_read(
    store: GraphStore,
) -> None:
    async with asgi_client(store, Role.ADMIN) as admin, asgi_client(store, Role.ANALYST) as analyst:
        assert (await post(admin, VIEWER))["data"]["viewer"]["permissions"] == [
            "read", "impact", "define", "write", "admin"
        ]  # fmt: skip
        assert (await post(analyst, VIEWER))["data"]["viewer"]["permissions"] == ["read"]


async def test_a_bad_forged_or_revoked_key_gets_no_viewer(store: GraphStore) -> None:
    async with asgi_client(store, Role.RISK) as client:
        token = client.headers["authorization"].removeprefix("Bearer ")
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        for header in ("", "Bearer ", "Bearer nope", f"Bearer {forged}", f"Basic {token}"):
            refused = await client.post(
                "/graphql", json={"query": VIEWER}, headers={"authorization": header}
            )
            assert refused.status_code == 401, header
            assert refused.json()["error"]["code"] == "UNAUTHENTICATED"
            assert "viewer" not in refused.text
        await store.revoke_api_key(token.split("_")[1], at=AS_OF)
        revoked = await client.post("/graphql", json={"query": VIEWER})
    assert revoked.status_code == 401
    assert revoked.json()["error"] == {
        "code": "UNAUTHENTICATED",
        "message": "the API key was revoked",
    }


@pytest.mark.parametrize(
    "query",
    [
        "{ viewer(role: ADMIN) { role } }",  # no argument may choose whom to see
        '{ viewer { role secret: keyId(as: "admin") } }',
        "{ viewer { secretHash } }",
        "{ viewer }",
    ],
)
async def test_hostile_viewer_queries_are_refused_as_errors(store: GraphStore, query: str) -> None:
    async with asgi_client(store, Role.ANALYST) as client:
        body = await post(client, query)
    assert body.get("data") is None
    assert body["errors"], body
    assert "gcrm_" not in str(body)
