"""Integrations over GraphQL: admins list, create (the secret shown once) and revoke
them, audited; every other role is refused and changes nothing; hostile input is refused
at its path and stores nothing; the secret is in no listing or audit record."""

from __future__ import annotations

import json

import httpx
import pytest

from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import data, post, read_log
from tests.api.signed_events import CREATE_INTEGRATION, INTEGRATIONS, REVOKE_INTEGRATION

HOSTILE_NAMES = ["", "x" * 64, "-dash first", "a\nb", "'; DROP TABLE integrations; --", "é\u202e"]
HOSTILE_IDS = ["x'y", "} DETACH DELETE n //", "0123456789ABCDEF", "0" * 17, ""]


async def test_an_admin_creates_lists_and_revokes_an_integration(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    made = (await data(client, CREATE_INTEGRATION, name="broker", eventTypes=["DISRUPTION"]))[
        "createIntegration"
    ]
    assert made["__typename"] == "IntegrationCreatePayload"
    integration = made["integration"]
    assert (integration["name"], integration["eventTypes"], integration["active"]) == (
        "broker",
        ["DISRUPTION"],
        True,
    )
    stored = await store.integration(integration["id"])
    assert stored is not None
    assert stored.secret == made["secret"]
    listed = (await data(client, INTEGRATIONS))["integrations"]
    assert [i["id"] for i in listed] == [integration["id"]]
    assert listed[0]["createdBy"].startswith("key:")
    revoked = (await data(client, REVOKE_INTEGRATION, id=integration["id"]))["revokeIntegration"]
    assert (revoked["alreadyRevoked"], revoked["integration"]["active"]) == (False, False)
    again = (await data(client, REVOKE_INTEGRATION, id=integration["id"]))["revokeIntegration"]
    assert again["alreadyRevoked"] is True
    assert again["integration"]["revokedAt"] == revoked["integration"]["revokedAt"]
    records = [r for r in await read_log(client) if r["kind"] == "integration"]
    assert [r["action"] for r in records] == ["integration.create", "integration.revoke"]
    assert made["secret"] not in json.dumps(records)
    assert made["secret"] not in json.dumps(listed)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.RISK, Role.CONFIG_OFFICER, Role.INTEGRATION])
async def test_other_roles_are_refused_and_change_nothing(store: GraphStore, role: Role) -> None:
    async with asgi_client(store, role) as client:
        for query, variables in (
            (INTEGRATIONS, {}),
            (CREATE_INTEGRATION, {"name": "x", "eventTypes": ["DISRUPTION"]}),
            (REVOKE_INTEGRATION, {"id": "0123456789abcdef"}),
        ):
            body = await post(client, query, **variables)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    assert await store.integrations() == []


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_hostile_names_are_refused_at_name(
    client: httpx.AsyncClient, store: GraphStore, name: str
) -> None:
    made = (await data(client, CREATE_INTEGRATION, name=name, eventTypes=["DISRUPTION"]))[
        "createIntegration"
    ]
    assert (made["__typename"], made["code"], made["path"]) == ("Error", "INVALID_INPUT", ["name"])
    assert await store.integrations() == []


async def test_no_event_type_is_refused(client: httpx.AsyncClient, store: GraphStore) -> None:
    made = (await data(client, CREATE_INTEGRATION, name="x", eventTypes=[]))["createIntegration"]
    assert (made["code"], made["path"]) == ("INVALID_INPUT", ["eventTypes"])
    body = await post(client, CREATE_INTEGRATION, name="x", eventTypes=["EXPLODE"])
    assert "errors" in body
    assert await store.integrations() == []


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
async def test_hostile_ids_are_refused_at_id(client: httpx.AsyncClient, hostile: str) -> None:
    revoked = (await data(client, REVOKE_INTEGRATION, id=hostile))["revokeIntegration"]
    assert (revoked["code"], revoked["path"]) == ("INVALID_INPUT", ["id"])
    absent = (await data(client, REVOKE_INTEGRATION, id="0123456789abcdef"))["revokeIntegration"]
    assert (absent["code"], absent["path"]) == ("NOT_FOUND", ["id"])
