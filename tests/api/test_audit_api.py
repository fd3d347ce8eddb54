"""auditLog over HTTP: admins read who changed what; every other role is refused."""

from __future__ import annotations

import httpx
import pytest

from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import (
    AUDIT_LOG,
    DEFINE_ENTITY_TYPE,
    DELETE,
    UPSERT,
    post,
    read_log,
    succeed,
)
from tests.contract.crm import CUSTOMER


def actor_of(client: httpx.AsyncClient, role: Role) -> str:
    """How the store records the key this client sends: 'key:<id> (<name>)'."""
    key_id = client.headers["authorization"].removeprefix("Bearer ").split("_")[1]
    return f"key:{key_id} (tests-{role.value})"


async def test_admins_see_who_wrote_what(store: GraphStore) -> None:
    async with (
        asgi_client(store, Role.CONFIG_OFFICER) as officer,
        asgi_client(store, Role.INTEGRATION) as loader,
        asgi_client(store, Role.ADMIN) as admin,
    ):
        await succeed(officer, DEFINE_ENTITY_TYPE, "defineEntityType", input=CUSTOMER)
        rows = [{"key": "ACME", "name": "Acme"}, {"key": "BETA", "name": "Beta"}]
        await succeed(loader, UPSERT, "upsertEntities", type="Customer", records=rows)
        typed = 'mutation { upsertCustomers(records: [{key: "GAMMA", name: "G"}]) { __typename } }'
        assert "errors" not in await post(loader, typed)
        await succeed(loader, DELETE, "deleteEntities", ids=["Customer:BETA"])

        everything = await read_log(admin)
        keys_made = [n for n in everything if n["action"] == "key.create"]
        assert [n["actor"] for n in keys_made] == ["tests"] * 3
        changes = [n for n in everything if n["kind"] != "apiKey"]
        officer_actor = actor_of(officer, Role.CONFIG_OFFICER)
        loader_actor = actor_of(loader, Role.INTEGRATION)
        assert [(n["actor"], n["action"], n["type"], n["ids"]) for n in changes] == [
            (officer_actor, "define", "Customer", []),
            (loader_actor, "upsert", "Customer", ["Customer:ACME", "Customer:BETA"]),
            (loader_actor, "upsert", "Customer", ["Customer:GAMMA"]),
            (loader_actor, "delete", "Customer", ["Customer:BETA"]),
        ]
        define = changes[0]
        assert define["before"] is None
        assert define["after"]["name"] == "Customer"
        assert changes[1]["summary"] == {"created": 2, "updated": 0, "unchanged": 0}
        assert define["at"].endswith("Z")

        by_loader = await read_log(admin, actor=loader_actor)
        assert [n["action"] for n in by_loader] == ["upsert", "upsert", "delete"]
        since = await read_log(admin, since=changes[2]["at"], type="Customer")
        assert [n["id"] for n in since] == [changes[2]["id"], changes[3]["id"]]
        refused = await post(admin, AUDIT_LOG, first=1, after="not-a-cursor")
        assert refused["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
async def test_only_admins_may_read_it(store: GraphStore, role: Role) -> None:
    async with asgi_client(store, role) as client:
        body = await post(client, AUDIT_LOG, first=10)
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["path"] == ["auditLog"]
