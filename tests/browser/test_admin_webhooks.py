"""The Admin page's webhooks in a real browser, on both backends: the admin makes one
(its secret shown once), a refused URL is shown at its field, and a delivery that failed
(the served demo's server gives each one attempt; the URL is a closed port) is listed as
a dead letter and replayed, audited.

It runs on the shared `served` demo: its webhooks are named `hook-<random>`; the change
they are told of is a note on the demo's resolved incident."""

from __future__ import annotations

import time

import httpx
from playwright.sync_api import expect

from graph_crm.auth.roles import Role
from tests.api.servers import free_port
from tests.browser.admin import audit_rows, audit_settled, open_admin, unique_name
from tests.browser.console import PageWatch
from tests.browser.served import Served

DEAD = "{ webhookDeliveries(status: DEAD, first: 50) { items { id webhookId } } }"
LATEST = "{ incidents(first: 1) { edges { node { id } } } }"
NOTE = 'mutation($id: ID!) { addIncidentNote(id: $id, text: "webhook test") { __typename } }'


def _graphql(served: Served, role: Role, query: str, **variables: object) -> dict[str, object]:
    answer = httpx.post(
        f"{served.base}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {served.tokens[role]}"},
        timeout=30,
    ).json()
    assert "errors" not in answer, answer
    data: dict[str, object] = answer["data"]
    return data


def _dead_letter_of(served: Served, webhook_id: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        items = _graphql(served, Role.ADMIN, DEAD)["webhookDeliveries"]["items"]  # type: ignore[index]
        found = [item["id"] for item in items if item["webhookId"] == webhook_id]
        if found:
            return str(found[0])
        assert time.monotonic() < deadline, "no dead letter came"
        time.sleep(0.2)


def test_an_admin_makes_a_webhook_and_replays_its_dead_letter(
    watch: PageWatch, served: Served
) -> None:
    page = open_admin(watch)
    name = unique_name("hook")
    section = page.locator("#admin-webhooks")
    section.get_by_label("Webhook name", exact=True).fill(name)
    section.get_by_label("URL", exact=True).fill("https://user:pw@hooks.example.com/x")
    section.get_by_role("button", name="Create webhook").click()
    expect(page.locator("#webhook-url-error")).to_contain_text("no user or password")
    expect(section.get_by_label("URL", exact=True)).to_be_focused()

    section.get_by_label("URL", exact=True).fill(f"http://127.0.0.1:{free_port()}/hook")
    section.get_by_label("Source types", exact=True).fill("Warehouse")
    section.get_by_role("button", name="Create webhook").click()
    dialog = page.get_by_role("dialog", name=f"Webhook {name} created: copy its secret now")
    expect(dialog).to_contain_text("You will not see this secret again")
    secret = dialog.get_by_label(f"Secret of {name}").input_value()
    assert len(secret) == 43
    assert watch.axe() == []
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    assert secret not in page.content()  # gone with the dialog
    expect(page.locator("#webhooks-status")).to_have_text(f"Webhook {name} created.")
    row = page.locator("#webhooks-table tbody tr", has=page.get_by_role("rowheader", name=name))
    expect(row).to_contain_text("Warehouse")
    webhook_id = row.get_attribute("data-webhook-id")
    assert webhook_id

    incident = _graphql(served, Role.RISK, LATEST)["incidents"]["edges"][0]["node"]["id"]  # type: ignore[index]
    _graphql(served, Role.RISK, NOTE, id=incident)
    dead = _dead_letter_of(served, webhook_id)
    page.reload()  # the page shows what it read when drawn
    expect(page.locator("#audit-table")).to_be_visible()
    audit_settled(page)
    replay = page.get_by_role("button", name=f"Replay {dead}")
    expect(replay).to_be_visible()
    assert watch.axe() == []
    replay.click()
    expect(page.locator("#webhooks-status")).to_have_text(f"Delivery {dead} is due again.")
    expect(page.locator("#webhooks-status")).to_be_focused()
    audit_settled(page)
    replays = [ids for action, ids in audit_rows(page) if action == "webhook.replay"]
    assert any(dead in ids for ids in replays), audit_rows(page)
