"""Webhooks over GraphQL (real HTTP to the ASGI app, both backends): admins create (the
secret shown once), list, revoke, read the delivery log and replay dead letters, all
audited; every other role is refused, audited as access.denied, and changes nothing;
hostile names, URLs, filters and ids are refused at their path and store nothing."""

from __future__ import annotations

import json

import httpx
import pytest

from graph_crm.auth.roles import Role
from graph_crm.incidents.delivery import Attempt, RetryPolicy, new_delivery
from graph_crm.services.webhook_delivery import fan_out
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import data, post, read_log
from tests.api.webhook_documents import (
    CREATE_WEBHOOK,
    DELIVERIES,
    REPLAY_DELIVERY,
    REVOKE_WEBHOOK,
    WEBHOOKS,
)
from tests.incidents.made import T0, opened

URL = "https://hooks.example.com/crm"
HOSTILE_NAMES = ["", "x" * 64, "-dash first", "a\nb", "'; DROP TABLE webhooks; --", "é\u202e"]
HOSTILE_URLS = [
    "",
    "ftp://example.com/",
    "javascript:alert(1)",
    "https://admin:pw@example.com/",
    "https://example.com/#x",
    "https://example.com/\r\nX-Evil: 1",
    "https://" + "a" * 3000 + ".com/",
    "http://[::1/",
    "https://exa mple.com/",
]
HOSTILE_FILTERS = [
    ({"sources": ["not a global id"]}, ["filter", "sources", "0"]),
    ({"sourceTypes": ["Ware`house"]}, ["filter", "sourceTypes", "0"]),
    ({"sourceTypes": ["} DETACH DELETE n //"]}, ["filter", "sourceTypes", "0"]),
    ({"incidentIds": ["inc-'; --"]}, ["filter", "incidentIds", "0"]),
    ({"statuses": ["EXPLODED"]}, ["filter", "statuses", "0"]),
    ({"sourceTypes": ["Warehouse"] * 101}, ["filter", "sourceTypes"]),
]
HOSTILE_IDS = ["x'y", "} DETACH DELETE n //", "0123456789ABCDEF", "0" * 17, ""]


async def test_an_admin_creates_lists_and_revokes_a_webhook_audited(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    made = (
        await data(client, CREATE_WEBHOOK, name="risk desk", url=URL,
                   filter={"sourceTypes": ["Warehouse"]})
    )["createWebhook"]  # fmt: skip
    assert made["__typename"] == "WebhookCreatePayload"
    webhook = made["webhook"]
    assert (webhook["name"], webhook["url"], webhook["filter"]["sourceTypes"]) == (
        "risk desk",
        URL,
        ["Warehouse"],
    )
    stored = await store.webhook(webhook["id"])
    assert stored is not None
    assert stored.secret == made["secret"]
    listed = (await data(client, WEBHOOKS))["webhooks"]
    assert [w["id"] for w in listed] == [webhook["id"]]
    assert listed[0]["createdBy"].startswith("key:")
    revoked = (await data(client, REVOKE_WEBHOOK, id=webhook["id"]))["revokeWebhook"]
    assert (revoked["alreadyRevoked"], revoked["webhook"]["active"]) == (False, False)
    again = (await data(client, REVOKE_WEBHOOK, id=webhook["id"]))["revokeWebhook"]
    assert again["alreadyRevoked"] is True
    records = [r for r in await read_log(client) if r["kind"] == "webhook"]
    assert [r["action"] for r in records] == ["webhook.create", "webhook.revoke"]
    assert made["secret"] not in json.dumps(records)
    assert made["secret"] not in json.dumps(listed)


async def test_an_admin_reads_the_delivery_log_and_replays_a_dead_letter(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    made = (await data(client, CREATE_WEBHOOK, name="desk", url=URL))["createWebhook"]
    hook_id = made["webhook"]["id"]
    incident, first = opened()
    await store.open_incident(incident, first)
    await fan_out(store)
    (pending,) = await store.deliveries()
    claimed = await store.claim_delivery("w", now=T0.replace(year=2100), lease_seconds=30)
    assert claimed is not None
    failed = Attempt(1, T0, 40, 503, "HTTP 503", "busy")
    await store.record_attempt(pending.id, "w", failed, RetryPolicy(max_attempts=1), jitter=0.5)

    page = (await data(client, DELIVERIES, webhookId=hook_id, status="DEAD"))["webhookDeliveries"]
    (dead,) = page["items"]
    assert (dead["id"], dead["seq"], dead["status"], dead["nextAttemptAt"]) == (
        pending.id,
        1,
        "DEAD",
        None,
    )
    assert dead["attempts"] == [
        {"number": 1, "at": dead["attempts"][0]["at"], "durationMs": 40, "statusCode": 503,
         "error": "HTTP 503", "excerpt": "busy"}
    ]  # fmt: skip
    assert (page["hasNextPage"], page["endCursor"]) == (False, pending.id)
    assert (await data(client, DELIVERIES, status="DELIVERED"))["webhookDeliveries"]["items"] == []

    replayed = (await data(client, REPLAY_DELIVERY, id=pending.id))["replayDelivery"]
    assert replayed["__typename"] == "WebhookReplayPayload"
    assert (replayed["delivery"]["status"], replayed["delivery"]["replays"]) == ("PENDING", 1)
    assert replayed["delivery"]["nextAttemptAt"] is not None
    twice = (await data(client, REPLAY_DELIVERY, id=pending.id))["replayDelivery"]
    assert (twice["code"], twice["path"]) == ("INVALID_INPUT", ["id"])
    records = [r for r in await read_log(client) if r["kind"] == "webhook"]
    assert [r["action"] for r in records] == ["webhook.create", "webhook.replay"]


async def test_the_delivery_log_pages(client: httpx.AsyncClient, store: GraphStore) -> None:
    made = (await data(client, CREATE_WEBHOOK, name="desk", url=URL))["createWebhook"]
    hook_id = made["webhook"]["id"]
    rows = [new_delivery(hook_id, seq, "inc-00000000000000a1", now=T0) for seq in (1, 2, 3)]
    assert await store.fan_out(expected=0, cursor=3, deliveries=rows)
    first_page = (await data(client, DELIVERIES, first=2))["webhookDeliveries"]
    assert [d["seq"] for d in first_page["items"]] == [1, 2]
    assert first_page["hasNextPage"] is True
    after = first_page["endCursor"]
    rest = (await data(client, DELIVERIES, first=2, after=after))["webhookDeliveries"]
    assert ([d["seq"] for d in rest["items"]], rest["hasNextPage"]) == ([3], False)


@pytest.mark.parametrize("role", [Role.ANALYST, Role.RISK, Role.CONFIG_OFFICER, Role.INTEGRATION])
async def test_other_roles_are_refused_audited_and_change_nothing(
    store: GraphStore, role: Role
) -> None:
    async with asgi_client(store, role) as client:
        for query, variables in (
            (WEBHOOKS, {}),
            (DELIVERIES, {}),
            (CREATE_WEBHOOK, {"name": "x", "url": URL}),
            (REVOKE_WEBHOOK, {"id": "0123456789abcdef"}),
            (REPLAY_DELIVERY, {"id": "0123456789abcdef-000000000001"}),
        ):
            body = await post(client, query, **variables)
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
    assert await store.webhooks() == []
    denied = [r for r in (await store.audit_log(first=500)).items if r.action == "access.denied"]
    # the first refusal is recorded; the key's next ones within a minute are counted in it
    assert [record.after["refused"] for record in denied if record.after] == [["webhooks"]]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
async def test_hostile_names_are_refused_at_name(
    client: httpx.AsyncClient, store: GraphStore, name: str
) -> None:
    made = (await data(client, CREATE_WEBHOOK, name=name, url=URL))["createWebhook"]
    assert (made["__typename"], made["code"], made["path"]) == ("Error", "INVALID_INPUT", ["name"])
    assert await store.webhooks() == []


@pytest.mark.parametrize("url", HOSTILE_URLS)
async def test_hostile_urls_are_refused_at_url(
    client: httpx.AsyncClient, store: GraphStore, url: str
) -> None:
    made = (await data(client, CREATE_WEBHOOK, name="x", url=url))["createWebhook"]
    assert (made["__typename"], made["code"], made["path"]) == ("Error", "INVALID_INPUT", ["url"])
    assert await store.webhooks() == []


@pytest.mark.parametrize(("wanted", "path"), HOSTILE_FILTERS)
async def test_hostile_filters_are_refused_at_their_field(
    client: httpx.AsyncClient, store: GraphStore, wanted: dict[str, object], path: list[object]
) -> None:
    made = (await data(client, CREATE_WEBHOOK, name="x", url=URL, filter=wanted))["createWebhook"]
    assert (made["__typename"], made["path"]) == ("Error", path)
    assert made["code"] in ("INVALID_INPUT", "INVALID_NAME")
    assert await store.webhooks() == []


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
async def test_hostile_ids_are_refused_at_their_argument(
    client: httpx.AsyncClient, hostile: str
) -> None:
    for query, name in ((REVOKE_WEBHOOK, "revokeWebhook"), (REPLAY_DELIVERY, "replayDelivery")):
        refused = (await data(client, query, id=hostile))[name]
        assert (refused["code"], refused["path"]) == ("INVALID_INPUT", ["id"])
    for argument in ("webhookId", "after"):
        body = await post(client, DELIVERIES, **{argument: hostile})
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "INVALID_INPUT"
        assert error["path"] == ["webhookDeliveries"]
    body = await post(client, DELIVERIES, first=501)
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    absent = (await data(client, REVOKE_WEBHOOK, id="0123456789abcdef"))["revokeWebhook"]
    assert (absent["code"], absent["path"]) == ("NOT_FOUND", ["id"])
