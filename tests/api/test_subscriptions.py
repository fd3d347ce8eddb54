"""``incidentChanged`` subscriptions over a real WebSocket (graphql-transport-ws, served
by uvicorn with our protocol) on both backends: what a notification carries, filters,
who may subscribe, what is refused and how, a revoked key and a slow subscriber.

The graph is tests/contract/logistics.py's (W1: G in T1, CA in T2, PB in T3 at 3 days).
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from graph_crm.auth.roles import Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client, bearer
from tests.api.graphql import succeed
from tests.api.incident_documents import (
    ACKNOWLEDGE,
    ADD_NOTE,
    CHANGED,
    REPORT_DISRUPTION,
    RESOLVE,
)
from tests.api.sockets import Subscriber, connected, http, served
from tests.contract.logistics import customs_policy, load_logistics

W1 = {"type": "Warehouse", "key": "W1"}


async def _loaded(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())


def _key(headers: dict[str, str]) -> dict[str, str]:
    """connection_init's payload carrying the key of ``headers``."""
    return {"Authorization": headers["Authorization"]}


async def _event(subscriber: Subscriber, id: str) -> dict[str, Any]:
    message = await subscriber.receive()
    assert message["type"] == "next", message
    assert message["id"] == id
    assert "errors" not in message["payload"], message
    event: dict[str, Any] = message["payload"]["data"]["incidentChanged"]
    return event


async def _refusal(subscriber: Subscriber, id: str) -> dict[str, Any]:
    message = await subscriber.receive()
    assert message["type"] == "error", message
    assert message["id"] == id
    [error] = message["payload"]
    assert isinstance(error, dict)
    return error


async def test_a_subscriber_is_told_the_incident_its_version_totals_top_rows_and_diff(
    store: GraphStore,
) -> None:
    await _loaded(store)
    risk = await bearer(store, Role.RISK)
    async with (
        served(store) as (address, _),
        http(address, risk) as client,
        connected(address, _key(risk)) as subscriber,
    ):
        head = await store.incident_feed_head()
        await subscriber.subscribe("1", CHANGED, after=head)
        made = await succeed(client, REPORT_DISRUPTION, "reportDisruption", source=W1, delay=3)
        opened = await _event(subscriber, "1")
        assert (opened["seq"], opened["reason"], opened["revision"]) == (head + 1, "opened", 1)
        incident = made["incident"]
        assert opened["incident"] == {
            "id": incident["id"],
            "source": "Warehouse:W1",
            "status": "OPEN",
            "revision": 1,
            "version": 1,
        }
        assert opened["version"] == {"number": 1, "reason": "opened"}
        assert opened["totals"]["affected"] == 3
        assert opened["totals"] == {
            "affected": made["version"]["totals"]["affected"],
            "predictedBreaches": made["version"]["totals"]["predictedBreaches"],
            "byTier": made["version"]["totals"]["byTier"],
        }
        [top] = opened["topRows"]
        [report] = made["version"]["reports"]
        assert top["policy"] == report["policy"]
        assert [(r["rank"], r["target"], r["tier"]) for r in top["rows"]] == [
            (rank, t["target"], t["tier"]) for rank, t in enumerate(report["targets"][:2], start=1)
        ]
        [diff] = opened["diff"]
        assert {t["target"] for t in diff["entered"]} == {
            "Customer:G",
            "Customer:CA",
            "Customer:PB",
        }
        await succeed(client, ACKNOWLEDGE, "acknowledgeIncident", id=incident["id"])
        acked = await _event(subscriber, "1")
        assert (acked["seq"], acked["reason"]) == (head + 2, "acknowledged")
        assert acked["incident"]["status"] == "ACKNOWLEDGED"
        assert (acked["version"], acked["totals"], acked["topRows"], acked["diff"]) == (
            None,
            None,
            None,
            None,
        )
        # the client ends its subscription: the server says complete, and nothing more
        await subscriber.send({"id": "1", "type": "complete"})
        await subscriber.send({"type": "ping"})
        assert await subscriber.receive() == {"type": "pong"}


async def test_filters_choose_what_each_subscriber_is_told(store: GraphStore) -> None:
    await _loaded(store)
    risk = await bearer(store, Role.RISK)
    admin = await bearer(store, Role.ADMIN)
    async with (
        served(store) as (address, _),
        http(address, risk) as client,
        connected(address, _key(risk)) as by_source,
        connected(address, _key(admin)) as resolved_only,
    ):
        head = await store.incident_feed_head()
        await by_source.subscribe("w1", CHANGED, after=head, filter={"sources": ["Warehouse:W1"]})
        await by_source.subscribe("w2", CHANGED, after=head, filter={"sources": ["Warehouse:W2"]})
        await resolved_only.subscribe("r", CHANGED, after=head, filter={"statuses": ["RESOLVED"]})
        made = await succeed(client, REPORT_DISRUPTION, "reportDisruption", source=W1, delay=3)
        incident_id = made["incident"]["id"]
        await succeed(client, ADD_NOTE, "addIncidentNote", id=incident_id, text="broker: 48h")
        await succeed(client, RESOLVE, "resolveIncident", id=incident_id)
        told = [await _event(by_source, "w1") for _ in range(3)]
        assert [e["reason"] for e in told] == ["opened", "note added", "resolved"]
        # each with the status right after it, whatever the incident's is by then
        assert [e["status"] for e in told] == ["OPEN", "OPEN", "RESOLVED"]
        # the other two saw the same changes go by: each is told only the last one,
        # in feed order, so it was told nothing before it
        last = await _event(resolved_only, "r")
        assert (last["seq"], last["reason"]) == (told[2]["seq"], "resolved")
        assert last["incident"]["status"] == "RESOLVED"
        await succeed(
            client,
            REPORT_DISRUPTION,
            "reportDisruption",
            source={"type": "Warehouse", "key": "W2"},
            delay=3,
        )
        w2 = await _event(by_source, "w2")
        assert (w2["seq"], w2["incident"]["source"]) == (told[2]["seq"] + 1, "Warehouse:W2")


async def test_versions_only_and_resume_after_a_change_number(store: GraphStore) -> None:
    await _loaded(store)
    risk = await bearer(store, Role.RISK)
    async with served(store) as (address, _), http(address, risk) as client:
        head = await store.incident_feed_head()
        made = await succeed(client, REPORT_DISRUPTION, "reportDisruption", source=W1, delay=3)
        await succeed(client, ACKNOWLEDGE, "acknowledgeIncident", id=made["incident"]["id"])
        await succeed(client, REPORT_DISRUPTION, "reportDisruption", source=W1, delay=6)
        async with connected(address, _key(risk)) as subscriber:
            # resumed from before all three: told the two that stored a version
            await subscriber.subscribe("v", CHANGED, after=head, filter={"versionsOnly": True})
            first, second = await _event(subscriber, "v"), await _event(subscriber, "v")
            assert [(e["seq"], e["version"]["number"]) for e in (first, second)] == [
                (head + 1, 1),
                (head + 3, 2),
            ]
            assert second["version"]["reason"] == "delay updated"


async def test_the_key_may_come_with_the_upgrade_request(store: GraphStore) -> None:
    await _loaded(store)
    risk = await bearer(store, Role.RISK)
    async with (
        served(store) as (address, _),
        http(address, risk) as client,
        connected(address, {}, headers=risk) as subscriber,
    ):
        await subscriber.subscribe("1", CHANGED, after=await store.incident_feed_head())
        await succeed(client, REPORT_DISRUPTION, "reportDisruption", source=W1, delay=3)
        assert (await _event(subscriber, "1"))["reason"] == "opened"


@pytest.mark.parametrize(
    ("init", "reason"),
    [
        ({}, "UNAUTHENTICATED: this API needs an API key"),
        ({"Authorization": "Bearer gcrm_0123456789abcdef_nope"}, "UNAUTHENTICATED: "),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "UNAUTHENTICATED: send the API key as"),
        ({"Authorization": ["Bearer x", "Bearer y"]}, "UNAUTHENTICATED: this API needs"),
    ],
)
async def test_no_key_or_a_bad_one_closes_the_connection_4403(
    store: GraphStore, init: dict[str, Any], reason: str
) -> None:
    async with (
        served(store) as (address, _),
        connected(address, init, acknowledged=False) as subscriber,
    ):
        code, said = await subscriber.closed()
    assert code == 4403
    assert said.startswith(reason)


async def test_failed_keys_are_throttled_with_https_failures(store: GraphStore) -> None:
    bad = {"Authorization": "Bearer gcrm_0123456789abcdef_nope"}
    async with served(store) as (address, _), http(address, bad) as client:
        for _ in range(10):  # the throttle's burst, spent over HTTP
            assert (
                await client.post("/graphql", json={"query": "{ viewer { role } }"})
            ).status_code == 401
        async with connected(address, bad, acknowledged=False) as subscriber:
            code, reason = await subscriber.closed()
    assert code == 4429
    assert reason.startswith("AUTH_THROTTLED: too many failed attempts")


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        b"\x00binary",
        '{"type": "connection_init", "payload": ["Bearer x"]}',
        '{"type": "nope"}',
    ],
)
async def test_what_is_not_the_protocol_closes_4400(
    store: GraphStore, message: str | bytes
) -> None:
    async with served(store) as (address, _), connected(address, None) as subscriber:
        await subscriber.socket.send(message)
        assert (await subscriber.closed())[0] == 4400


async def test_a_subscribe_before_connection_init_closes_4401(store: GraphStore) -> None:
    async with served(store) as (address, _), connected(address, None) as subscriber:
        await subscriber.subscribe("1", CHANGED)
        assert (await subscriber.closed())[0] == 4401


async def test_a_role_without_incidents_is_refused_and_audited(store: GraphStore) -> None:
    analyst = await bearer(store, Role.ANALYST)
    async with served(store) as (address, _), connected(address, _key(analyst)) as subscriber:
        await subscriber.subscribe("1", CHANGED)
        error = await _refusal(subscriber, "1")
        assert error["extensions"]["code"] == "FORBIDDEN"
        assert error["path"] == ["incidentChanged"]
        assert error["extensions"]["needs"] == "impact"
        # the connection stays for what the role may do
        await subscriber.send({"type": "ping"})
        assert await subscriber.receive() == {"type": "pong"}
    [record] = (await store.audit_log(action="access.denied")).items
    assert record.after is not None
    assert record.after["refused"] == ["incidentChanged"]


@pytest.mark.parametrize(
    ("query", "operation", "code", "says"),
    [
        ("{ incidents { totalCount } }", None, "BAD_REQUEST", "only subscriptions"),
        (
            'mutation { revokeApiKey(id: "0123456789abcdef") { __typename } }',
            None,
            "BAD_REQUEST",
            "only subscriptions",
        ),
        (
            "subscription A { incidentChanged { seq } } subscription B { incidentChanged { seq } }",
            None,
            "BAD_REQUEST",
            "Must provide operation name",
        ),
        ("subscription { incidentChanged { seq } }", "Nope", "BAD_REQUEST", "Unknown operation"),
        (
            "subscription { a: incidentChanged { seq } b: incidentChanged { at } }",
            None,
            None,
            "must select only one top level field",
        ),
        ("subscription { incidentChanged { nope } }", None, None, "Cannot query field 'nope'"),
    ],
)
async def test_operations_the_socket_does_not_run_are_refused_per_operation(
    store: GraphStore, query: str, operation: str | None, code: str | None, says: str
) -> None:
    admin = await bearer(store, Role.ADMIN)
    async with served(store) as (address, _), connected(address, _key(admin)) as subscriber:
        await subscriber.send(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": query, "operationName": operation},
            }
        )
        error = await _refusal(subscriber, "1")
        if code is not None:
            assert error["extensions"]["code"] == code
        assert says in error["message"]
        await subscriber.send({"type": "ping"})
        assert await subscriber.receive() == {"type": "pong"}


async def test_an_operation_over_the_roles_depth_is_refused(store: GraphStore) -> None:
    risk = await bearer(store, Role.RISK)
    too_deep = "subscription { incidentChanged " + "{ incident " * 20 + "{ id" + " }" * 22
    async with served(store) as (address, _), connected(address, _key(risk)) as subscriber:
        await subscriber.subscribe("1", too_deep)
        error = await _refusal(subscriber, "1")
        assert error["extensions"]["code"] == "LIMIT_EXCEEDED"


async def test_an_operation_over_the_roles_cost_is_refused(store: GraphStore) -> None:
    risk = await bearer(store, Role.RISK)
    costly = (
        "subscription { incidentChanged { incident { versions(first: 20) { items { reports "
        "{ targets { paths { id } components { name } } } } } } } }"
    )
    async with (
        served(store) as (address, app),
        connected(address, _key(risk)) as subscriber,
    ):
        await subscriber.subscribe("1", costly)
        error = await _refusal(subscriber, "1")
        assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
        assert app.state.feed_hub.subscribers == set()


@pytest.mark.parametrize(
    ("variables", "path"),
    [
        ({"filter": {"sources": ["Warehouse:W1", "W1' OR 1=1 --"]}}, ["filter", "sources", 1]),
        ({"filter": {"sources": ["Ware`house) DETACH DELETE n //:x"]}}, ["filter", "sources", 0]),
        ({"filter": {"sources": ["no colon"]}}, ["filter", "sources", 0]),
        ({"filter": {"incidentIds": ["inc-../../etc/passwd"]}}, ["filter", "incidentIds", 0]),
        ({"filter": {"sourceTypes": ["Ware house"]}}, ["filter", "sourceTypes", 0]),
        ({"filter": {"sourceTypes": ["_GraphCrmIncident"]}}, ["filter", "sourceTypes", 0]),
        ({"filter": {"sourceTypes": ["W"] * 101}}, ["filter", "sourceTypes"]),
        ({"after": -1}, ["after"]),
        ({"after": 10**6}, ["after"]),
    ],
)
async def test_hostile_filter_values_are_refused_at_the_field(
    store: GraphStore, variables: dict[str, Any], path: list[Any]
) -> None:
    risk = await bearer(store, Role.RISK)
    async with (
        served(store) as (address, app),
        connected(address, _key(risk)) as subscriber,
    ):
        await subscriber.subscribe("1", CHANGED, **variables)
        error = await _refusal(subscriber, "1")
        assert error["path"] == ["incidentChanged"]
        assert error["extensions"]["code"] in ("INVALID_INPUT", "INVALID_NAME", "RESERVED_NAME")
        assert error["extensions"]["inputPath"] == path
        assert error["message"]
        assert app.state.feed_hub.subscribers == set()


async def test_a_wrong_typed_filter_is_refused_by_validation(store: GraphStore) -> None:
    risk = await bearer(store, Role.RISK)
    async with served(store) as (address, _), connected(address, _key(risk)) as subscriber:
        await subscriber.subscribe("1", CHANGED, filter={"statuses": ["DROP TABLE"]})
        error = await _refusal(subscriber, "1")
        assert "IncidentStatus" in error["message"]


async def test_a_connection_runs_at_most_ten_operations(store: GraphStore) -> None:
    risk = await bearer(store, Role.RISK)
    async with served(store) as (address, app), connected(address, _key(risk)) as subscriber:
        for number in range(10):
            await subscriber.subscribe(str(number), CHANGED)
        await subscriber.subscribe("10", CHANGED)
        error = await _refusal(subscriber, "10")
        assert error["message"] == "Subscription limit reached"


async def test_a_revoked_key_loses_its_connection(
    store: GraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="graph_crm.access")
    await _loaded(store)
    admin = await bearer(store, Role.ADMIN)
    risk = await bearer(store, Role.RISK)
    [risk_key] = [k for k in await store.api_keys() if k.role is Role.RISK]
    async with (
        served(store) as (address, _),
        http(address, admin) as client,
        connected(address, _key(risk)) as subscriber,
    ):
        await subscriber.subscribe("1", CHANGED, after=await store.incident_feed_head())
        await succeed(client, REPORT_DISRUPTION, "reportDisruption", source=W1, delay=3)
        assert (await _event(subscriber, "1"))["reason"] == "opened"
        revoke = "mutation R($id: ID!) { revokeApiKey(id: $id) { __typename } }"
        response = await client.post(
            "/graphql", json={"query": revoke, "variables": {"id": risk_key.id}}
        )
        assert response.json()["data"]["revokeApiKey"]["__typename"] == "ApiKeyRevokePayload"
        code, reason = await subscriber.closed()
    assert (code, reason) == (4403, "UNAUTHENTICATED: the API key was revoked")
    # the connection's line in the access log: who, what it asked for, how it ended
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "graph_crm.access"]
    [line] = [line for line in lines if line["method"] == "WEBSOCKET"]
    assert (line["key"], line["role"], line["path"]) == (risk_key.id, "risk", "/graphql")
    assert (line["fields"], line["status"], line["code"]) == (
        ["incidentChanged"],
        4403,
        "UNAUTHENTICATED",
    )


async def test_a_subscriber_too_far_behind_is_closed_not_buffered(store: GraphStore) -> None:
    await _loaded(store)
    risk = await bearer(store, Role.RISK)
    async with served(store) as (address, app), http(address, risk) as client:
        app.state.feed_hub.capacity = 2
        head = await store.incident_feed_head()
        made = await succeed(client, REPORT_DISRUPTION, "reportDisruption", source=W1, delay=3)
        for text in ("one", "two"):
            await succeed(client, ADD_NOTE, "addIncidentNote", id=made["incident"]["id"], text=text)
        async with connected(address, _key(risk)) as subscriber:
            # three changes wait at once for a queue of two
            await subscriber.subscribe("1", CHANGED, after=head)
            code, reason = await subscriber.closed()
        assert code == 1013
        assert reason.startswith("SUBSCRIBER_TOO_SLOW: more than 2 notifications")
        assert app.state.feed_hub.subscribers == set()


async def test_a_subscription_over_http_is_refused_with_where_to_send_it(store: GraphStore) -> None:
    async with asgi_client(store, Role.RISK) as client:
        response = await client.post("/graphql", json={"query": CHANGED})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "BAD_REQUEST"
    assert "WebSocket (graphql-transport-ws)" in error["message"]
