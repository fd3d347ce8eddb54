"""Driving the Incidents page in the browser tests: the API called as another client
would (the state a test starts from, what the server holds after the page acted), and
the page opened on the list or on an incident."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Page, expect

from graph_crm.auth.roles import Role
from tests.browser.console import PageWatch
from tests.browser.served import Served, key_name

READ = """query($id: ID!) { incident(id: $id) {
  id status owner revision version notes { author text }
  checklist { target label action done by at } } }"""
REPORT = """mutation($key: String!, $delay: Float!, $note: String!) {
  reportDisruption(source: {type: "Warehouse", key: $key}, delayDays: $delay, note: $note) {
    __typename ... on Error { code message path }
    ... on IncidentPayload { opened incident { id revision } } } }"""
NOTE = """mutation($id: ID!, $text: String!) { addIncidentNote(id: $id, text: $text) {
  __typename ... on Error { code } } }"""


def api(served: Served, query: str, variables: dict[str, Any], role: Role = Role.RISK) -> Any:
    """The data of one call with ``role``'s key; an error fails the test."""
    answer = httpx.post(
        f"{served.base}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {served.tokens[role]}"},
        timeout=120,
    ).json()
    assert "errors" not in answer, answer
    return answer["data"]


def report(served: Served, key: str, delay: float, note: str = "") -> str:
    """The id of the incident a report of ``Warehouse:key`` opened or updated."""
    made = api(served, REPORT, {"key": key, "delay": delay, "note": note})["reportDisruption"]
    assert made["__typename"] == "IncidentPayload", made
    incident_id: str = made["incident"]["id"]
    return incident_id


def incident(served: Served, incident_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api(served, READ, {"id": incident_id})["incident"]
    return found


def actor(served: Served, role: Role) -> str:
    """How the audit and the incident name ``role``'s key: ``key:<id> (<name>)``."""
    key_id = served.tokens[role].split("_")[1]
    return f"key:{key_id} ({key_name(role)})"


def open_incident(watch: PageWatch, role: Role, incident_id: str) -> Page:
    """Signed in as ``role``, the incident's page open and drawn."""
    watch.sign_in(role)
    page = watch.page
    page.goto(f"/#/incidents?id={incident_id}")
    expect(page.locator("#incident-title")).to_be_visible(timeout=30_000)
    return page
