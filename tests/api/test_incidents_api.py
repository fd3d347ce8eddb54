"""Incidents over HTTP on both backends: report a disruption, work the incident, read it
back; every role, hostile input and refused transitions (an error code and path, and
nothing stored).

The graph is tests/contract/logistics.py's (W1: G in T1, CA in T2, PB in T3 at 3 days).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graph_crm.auth.roles import Permission, Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import data, mutate, post, succeed
from tests.api.incident_documents import (
    ACKNOWLEDGE,
    ADD_NOTE,
    ASSIGN,
    CHECK_ACTION,
    INCIDENT,
    INCIDENTS,
    REPORT_DISRUPTION,
    RESOLVE,
)
from tests.contract.logistics import customs_policy, load_logistics, open_w1_incident

W1 = {"type": "Warehouse", "key": "W1"}
CALL = "Call the account manager today"


async def _loaded(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())


async def _state(store: GraphStore) -> Any:
    page = await store.incidents()
    return [(i, await store.incident_versions(i.id)) for i in page.items]


async def test_report_work_and_read_an_incident(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await _loaded(store)
    made = await succeed(
        client, REPORT_DISRUPTION, "reportDisruption", source=W1, delay=3, note="customs hold"
    )
    assert made["opened"]
    incident = made["incident"]
    assert (incident["status"], incident["revision"], incident["source"]) == (
        "OPEN",
        1,
        "Warehouse:W1",
    )
    assert incident["openedBy"].startswith("key:")
    version = made["version"]
    assert (version["number"], version["reason"]) == (1, "opened")
    assert version["totals"]["affected"] == 3
    assert {t["target"] for t in version["diff"][0]["entered"]} == {
        "Customer:G",
        "Customer:CA",
        "Customer:PB",
    }
    incident_id = incident["id"]
    acked = await succeed(client, ACKNOWLEDGE, "acknowledgeIncident", id=incident_id, revision=1)
    assert (acked["incident"]["status"], acked["incident"]["revision"]) == ("ACKNOWLEDGED", 2)
    assert acked["version"] is None
    await succeed(client, ASSIGN, "assignIncident", id=incident_id, owner="Team EMEA")
    await succeed(client, ADD_NOTE, "addIncidentNote", id=incident_id, text="broker: 48h")
    checked = await succeed(
        client,
        CHECK_ACTION,
        "checkIncidentAction",
        id=incident_id,
        target="Customer:G",
        action=CALL,
    )
    [done] = [item for item in checked["incident"]["checklist"] if item["done"]]
    assert (done["target"], done["action"]) == ("Customer:G", CALL)
    # a new customer's goods now go through W1: the next version says it entered
    await store.write_batch(
        {
            "Customer": [{"key": "CN", "name": "CN Ltd"}],
            "Shipment": [{"key": "S9", "status": "IN_TRANSIT", "value": 5.0}],
        },
        {"ROUTED_VIA": [{"from": "S9", "to": "W1"}], "SHIPPED_FOR": [{"from": "S9", "to": "CN"}]},
    )
    again = await succeed(client, REPORT_DISRUPTION, "reportDisruption", source=W1, delay=6)
    assert not again["opened"]
    assert again["incident"]["id"] == incident_id
    assert again["version"]["reason"] == "delay updated"
    [diff] = again["version"]["diff"]
    assert [t["target"] for t in diff["entered"]] == ["Customer:CN"]
    assert diff["left"] == []
    read = (await data(client, INCIDENT, id=incident_id))["incident"]
    assert [v["number"] for v in read["versions"]["items"]] == [1, 2]
    assert read["owner"] == "Team EMEA"
    assert [n["text"] for n in read["notes"]] == ["broker: 48h"]
    assert read["checklist"] == again["incident"]["checklist"]
    done_now = [(i["target"], i["action"], i["by"]) for i in read["checklist"] if i["done"]]
    assert [(target, action) for target, action, _ in done_now] == [("Customer:G", CALL)]
    assert done_now[0][2].startswith("key:")
    later = (await data(client, INCIDENT, id=incident_id, since=0, first=1))["incident"]
    assert [v["number"] for v in later["versions"]["items"]] == [1]
    assert later["versions"]["hasMore"]
    later = (await data(client, INCIDENT, id=incident_id, since=1))["incident"]["versions"]
    assert [v["number"] for v in later["items"]] == [2]
    listed = (await data(client, INCIDENTS, filter={"status": ["ACKNOWLEDGED"]}))["incidents"]
    assert [e["node"]["id"] for e in listed["edges"]] == [incident_id]
    assert (await data(client, INCIDENTS, filter={"status": ["RESOLVED"]}))["incidents"][
        "totalCount"
    ] == 0
    log = (await store.audit_log(kind="incident")).items
    assert [r.action.value for r in log] == ["incident.open"] + ["incident.change"] * 5
    assert all(r.actor.startswith("key:") for r in log)


async def test_lists_page_with_cursors(client: httpx.AsyncClient, store: GraphStore) -> None:
    await _loaded(store)
    for key in ("W1", "W2", "W3"):
        await succeed(
            client,
            REPORT_DISRUPTION,
            "reportDisruption",
            source={"type": "Warehouse", "key": key},
            delay=2,
        )
    first = (await data(client, INCIDENTS, first=2))["incidents"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    rest = (await data(client, INCIDENTS, first=2, after=first["pageInfo"]["endCursor"]))[
        "incidents"
    ]
    sources = [e["node"]["source"] for e in first["edges"] + rest["edges"]]
    assert sources == ["Warehouse:W3", "Warehouse:W2", "Warehouse:W1"]
    by_source = (await data(client, INCIDENTS, filter={"source": "Warehouse:W2"}))["incidents"]
    assert [e["node"]["source"] for e in by_source["edges"]] == ["Warehouse:W2"]


@pytest.mark.parametrize(
    ("variables", "code", "path"),
    [
        ({"source": {"type": "Nope", "key": "W1"}}, "UNKNOWN_TYPE", ["source", "type"]),
        ({"source": {"type": "Customer", "key": "CA"}}, "INVALID_INPUT", ["source", "type"]),
        ({"source": {"type": "a`b) DETACH DELETE n //", "key": "W1"}}, "INVALID_NAME", None),
        ({"source": {"type": "_GraphCrmIncident", "key": "W1"}}, "RESERVED_NAME", None),
        (
            {"source": {"type": "Warehouse", "key": "W1'; DROP TABLE incidents; --"}},
            "NOT_FOUND",
            None,
        ),
        ({"source": {"type": "Warehouse", "key": "} DETACH DELETE n //"}}, "NOT_FOUND", None),
        ({"delay": -1}, "INVALID_INPUT", ["delayDays"]),
        ({"delay": 1e308}, "INVALID_INPUT", ["delayDays"]),
        ({"startsAt": "not a date"}, "INVALID_INPUT", ["startsAt"]),
        ({"note": "x" * 100_000}, "INVALID_INPUT", ["note"]),
        ({"note": "\x00"}, "INVALID_INPUT", ["note"]),
    ],
)
async def test_hostile_reports_are_refused_and_store_nothing(
    client: httpx.AsyncClient,
    store: GraphStore,
    variables: dict[str, Any],
    code: str,
    path: list[str] | None,
) -> None:
    await _loaded(store)
    arguments = {"source": W1, "delay": 3, **variables}
    refused = await mutate(client, REPORT_DISRUPTION, "reportDisruption", **arguments)
    assert refused["__typename"] == "Error"
    assert refused["code"] == code, refused
    if path is not None:
        assert refused["path"] == path
    assert await _state(store) == []
    assert not (await store.audit_log(kind="incident")).items


async def _opened(store: GraphStore) -> str:
    return await open_w1_incident(store)


@pytest.mark.parametrize(
    ("steps", "code", "path"),
    [
        ([(RESOLVE, "resolveIncident", {}), (ACKNOWLEDGE, "acknowledgeIncident", {})],
         "INVALID_TRANSITION", ["status"]),
        ([(ACKNOWLEDGE, "acknowledgeIncident", {}), (ACKNOWLEDGE, "acknowledgeIncident", {})],
         "INVALID_TRANSITION", ["status"]),
        ([(RESOLVE, "resolveIncident", {}), (RESOLVE, "resolveIncident", {})],
         "INVALID_TRANSITION", ["status"]),
        ([(RESOLVE, "resolveIncident", {}), (ASSIGN, "assignIncident", {"owner": "x"})],
         "INVALID_TRANSITION", ["status"]),
        ([(ACKNOWLEDGE, "acknowledgeIncident", {"revision": 7})], "STALE_REVISION", ["revision"]),
        ([(ASSIGN, "assignIncident", {"owner": "a\nb"})], "INVALID_INPUT", ["owner"]),
        ([(ADD_NOTE, "addIncidentNote", {"text": "x" * 4001})], "INVALID_INPUT", ["text"]),
        ([(ADD_NOTE, "addIncidentNote", {"text": "   "})], "INVALID_INPUT", ["text"]),
        ([(CHECK_ACTION, "checkIncidentAction", {"target": "Customer:ZZ", "action": CALL})],
         "NOT_FOUND", ["target"]),
        ([(CHECK_ACTION, "checkIncidentAction",
           {"target": "Customer:G", "action": "'; DROP TABLE incidents; --"})],
         "NOT_FOUND", ["action"]),
    ],
)  # fmt: skip
async def test_refused_changes_say_why_and_store_nothing(
    client: httpx.AsyncClient,
    store: GraphStore,
    steps: list[tuple[str, str, dict[str, Any]]],
    code: str,
    path: list[str],
) -> None:
    await _loaded(store)
    incident_id = await _opened(store)
    *before, (query, name, variables) = steps
    for earlier, earlier_name, earlier_variables in before:
        await succeed(client, earlier, earlier_name, id=incident_id, **earlier_variables)
    state = await _state(store)
    refused = await mutate(client, query, name, id=incident_id, **variables)
    assert (refused["__typename"], refused["code"], refused["path"]) == ("Error", code, path)
    assert await _state(store) == state


@pytest.mark.parametrize(
    "hostile", ["inc-0", "x'; DROP TABLE incidents; --", "} DETACH DELETE n //", "inc-" + "a" * 99]
)
async def test_hostile_incident_ids_are_refused_at_id(
    client: httpx.AsyncClient, store: GraphStore, hostile: str
) -> None:
    refused = await mutate(client, ACKNOWLEDGE, "acknowledgeIncident", id=hostile)
    assert (refused["code"], refused["path"]) == ("INVALID_INPUT", ["id"])
    body = await post(client, INCIDENT, id=hostile)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    absent = await mutate(client, ACKNOWLEDGE, "acknowledgeIncident", id="inc-" + "0" * 16)
    assert (absent["code"], absent["path"]) == ("NOT_FOUND", ["id"])


@pytest.mark.parametrize(
    ("variables", "code", "path"),
    [
        ({"first": 0}, "INVALID_INPUT", ["first"]),
        ({"first": 201}, "LIMIT_EXCEEDED", ["first"]),
        ({"first": 10_000}, "QUERY_TOO_COSTLY", None),
        ({"after": "garbage"}, "INVALID_INPUT", ["after"]),
        ({"filter": {"source": "no colon"}}, "INVALID_INPUT", ["source"]),
        ({"filter": {"source": "Warehouse:'; DROP TABLE incidents; --"}}, None, None),
    ],
)
async def test_bad_list_requests_are_errors_with_a_code(
    client: httpx.AsyncClient,
    variables: dict[str, Any],
    code: str | None,
    path: list[str] | None,
) -> None:
    body = await post(client, INCIDENTS, **variables)
    if code is None:  # a hostile but well-formed source finds nothing
        assert body["data"]["incidents"]["totalCount"] == 0
        return
    [error] = body["errors"]
    assert error["extensions"]["code"] == code
    if path is not None:
        assert error["extensions"]["inputPath"] == path


def _operations(incident_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("incidents", INCIDENTS, {}),
        ("incident", INCIDENT, {"id": incident_id}),
        ("addIncidentNote", ADD_NOTE, {"id": incident_id, "text": "n"}),
        ("assignIncident", ASSIGN, {"id": incident_id, "owner": "o"}),
        ("checkIncidentAction", CHECK_ACTION,
         {"id": incident_id, "target": "Customer:G", "action": CALL}),
        ("reportDisruption", REPORT_DISRUPTION, {"source": W1, "delay": 4}),
        ("acknowledgeIncident", ACKNOWLEDGE, {"id": incident_id}),
        ("resolveIncident", RESOLVE, {"id": incident_id}),
    ]  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
async def test_only_the_risk_role_and_admins_read_report_or_work_incidents(
    store: GraphStore, role: Role
) -> None:
    await _loaded(store)
    incident_id = await _opened(store)
    allowed = role.allows(Permission.IMPACT)
    async with asgi_client(store, role) as client:
        for field, query, variables in _operations(incident_id):
            state = await _state(store)
            body = await post(client, query, **variables)
            if allowed:
                assert "errors" not in body, (role, field, body)
                result = body["data"][field]
                assert not (isinstance(result, dict) and result.get("__typename") == "Error"), (
                    role,
                    field,
                    result,
                )
                continue
            assert body["data"] is None, (role, field)
            [error] = body["errors"]
            assert (error["extensions"]["code"], error["path"]) == ("FORBIDDEN", [field])
            assert await _state(store) == state
    incident = await store.incident(incident_id)
    assert incident is not None
    assert incident.status.value == ("RESOLVED" if allowed else "OPEN")
    if not allowed:
        denied = (await store.audit_log(action="access.denied")).items
        assert denied, role
