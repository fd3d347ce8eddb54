"""auditLog over HTTP: admins read who changed what; every other role is refused."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import (
    AUDIT_LOG,
    CREATE_API_KEY,
    DEFINE_ENTITY_TYPE,
    DELETE,
    REVOKE_API_KEY,
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


AUDIT_WINDOW = """
query Window($since: DateTime, $until: DateTime, $kind: String, $action: String,
             $order: AuditLogOrder!, $first: Int!, $after: String) {
  auditLog(since: $since, until: $until, kind: $kind, action: $action, order: $order,
           first: $first, after: $after) {
    totalCount
    edges { node { id at action kind ids after } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def walk(client: httpx.AsyncClient, **filters: Any) -> list[dict[str, Any]]:
    return await read_log(client, AUDIT_WINDOW, **filters)


async def test_admins_read_it_newest_first_in_a_window_by_kind_and_action(
    store: GraphStore,
) -> None:
    async with asgi_client(store, Role.ADMIN) as admin:
        made = await succeed(
            admin, CREATE_API_KEY, "createApiKey", name="audit-window", role="RISK"
        )
        key_id = made["apiKey"]["id"]
        await succeed(admin, REVOKE_API_KEY, "revokeApiKey", id=key_id)
        await succeed(admin, DEFINE_ENTITY_TYPE, "defineEntityType", input=CUSTOMER)
        oldest = await walk(admin, order="OLDEST_FIRST")
        newest = await walk(admin, order="NEWEST_FIRST")
        assert newest == oldest[::-1]
        assert [n["action"] for n in newest[:3]] == ["define", "key.revoke", "key.create"]
        keys = await walk(admin, kind="apiKey", order="NEWEST_FIRST")
        ours = [(n["action"], n["ids"]) for n in keys if n["ids"] == [key_id]]
        assert ours == [("key.revoke", [key_id]), ("key.create", [key_id])]
        created = await walk(admin, kind="apiKey", action="key.create", order="NEWEST_FIRST")
        assert created[0]["after"]["name"] == "audit-window"
        assert all(n["action"] == "key.create" for n in created)
        define = newest[0]
        before_define = await walk(admin, until=define["at"], order="NEWEST_FIRST")
        assert define not in before_define
        assert before_define == [n for n in newest if n["at"] < define["at"]]
        window = await walk(admin, since=define["at"], until="2999-01-01T00:00:00Z",
                            order="OLDEST_FIRST")  # fmt: skip
        assert window == [define]


@pytest.mark.parametrize(
    ("variables", "path"),
    [
        ({"since": "2026-12-01T00:00:00Z", "until": "2026-12-01T00:00:00Z"}, ["until"]),
        ({"since": "2026-12-02T00:00:00Z", "until": "2026-12-01T00:00:00Z"}, ["until"]),
        ({"kind": "apiKey' OR 1=1 --"}, ["kind"]),
        ({"kind": "`_GraphCrmAudit`) DETACH DELETE a //"}, ["kind"]),
        ({"action": "key.create\u202e"}, ["action"]),
        ({"action": "x" * 5_000}, ["action"]),
    ],
)
async def test_bad_windows_kinds_and_actions_are_refused_at_their_argument(
    store: GraphStore, variables: dict[str, Any], path: list[str]
) -> None:
    async with asgi_client(store, Role.ADMIN) as admin:
        await succeed(admin, DEFINE_ENTITY_TYPE, "defineEntityType", input=CUSTOMER)
        before = await walk(admin, order="OLDEST_FIRST")
        body = await post(admin, AUDIT_WINDOW, **variables, order="NEWEST_FIRST", first=5)
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "INVALID_INPUT"
        assert error["extensions"]["inputPath"] == path
        assert error["path"] == ["auditLog"]
        assert await walk(admin, order="OLDEST_FIRST") == before


async def test_an_unknown_order_or_a_naive_until_is_a_graphql_error(store: GraphStore) -> None:
    async with asgi_client(store, Role.ADMIN) as admin:
        unknown = await post(admin, AUDIT_WINDOW, order="SIDEWAYS", first=5)
        assert "AuditLogOrder" in unknown["errors"][0]["message"]
        naive = await post(admin, AUDIT_WINDOW, until="2026-12-01T00:00:00", order="OLDEST_FIRST",
                           first=5)  # fmt: skip
        assert naive["data"] is None
        assert "errors" in naive
