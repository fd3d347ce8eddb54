"""The Incidents page in a real browser, on both backends: a risk officer is refused a
report at its fields, reports RTM-02's 6-day delay, finds the incident in the list, opens
it, goes back and forward, acknowledges it, ticks an action (who and when shown), meets a
concurrent change (refused, said clearly, the page refreshed), assigns an owner, adds a
note and resolves it; axe-core on every state. A role without the `impact` permission
sees no Incidents page and the API refuses it the incident calls anyway.

Incidents are kept beside the graph and change no entity, so the shared `served` demo is
enough: the other pages' tests see the same data."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from graph_crm.auth.roles import Role
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.browser.console import PageWatch
from tests.browser.incidents import NOTE, actor, api, incident
from tests.browser.served import Served

AUDIT = """{ auditLog(kind: "incident", order: OLDEST_FIRST, first: 200) {
  edges { node { action actor ids after } } } }"""
#: What the page's own api.js answers when a tab asks for an incident call anyway.
FORCE = """async (query) => {
  const { graphql } = await import("/static/console/api.js");
  try {
    return JSON.stringify(await graphql(query));
  } catch (error) {
    return `${error.code}: ${error.message}`;
  }
}"""


def axe_clean(watch: PageWatch) -> None:
    assert watch.axe() == []


def refused_at(page: Page, control: str, text: str) -> None:
    """The refusal shown at its field: the control marked invalid, the message under it."""
    expect(page.locator(f"{control}-error")).to_contain_text(text)
    expect(page.locator(control)).to_have_attribute("aria-invalid", "true")


def incident_id_of(page: Page) -> str:
    expect(page).to_have_url(re.compile(r"#/incidents\?id=inc-[0-9a-f]{16}$"))
    found = re.search(r"inc-[0-9a-f]{16}", page.url)
    assert found
    return found.group(0)


def test_report_list_detail_acknowledge_tick_resolve(watch: PageWatch, served: Served) -> None:
    watch.sign_in(Role.RISK)
    page = watch.page
    page.locator("#nav-incidents").click()
    expect(page.locator("#page-title")).to_have_text("Incidents")
    # the empty state, here for a filter nothing matches
    page.locator("#incidents-status").select_option("RESOLVED")
    page.locator("#incidents-source").fill("Warehouse:HAM-01")
    page.locator("#incidents-apply").click()
    expect(page.locator("#incidents-empty")).to_have_text("No incident matches the filter.")
    axe_clean(watch)
    # refusals at their fields, what was typed kept
    page.locator("#report-key").fill("NOPE-9")
    page.locator("#report-delay").fill("6")
    page.locator("#report-submit").click()
    refused_at(page, "#report-key", "NOT_FOUND")
    expect(page.locator("#report-key")).to_be_focused()
    axe_clean(watch)
    page.locator("#report-key").fill("RTM-02")
    page.locator("#report-delay").fill("400")
    page.locator("#report-submit").click()
    refused_at(page, "#report-delay", "delayDays")
    expect(page.locator("#report-key")).not_to_have_attribute("aria-invalid", "true")
    # the report: the incident opens on its own URL
    page.locator("#report-delay").fill("6")
    page.locator("#report-note").fill("customs hold")
    page.locator("#report-submit").click()
    incident_id = incident_id_of(page)
    expect(page.locator("#incident-title")).to_contain_text("Warehouse:RTM-02")
    expect(page.locator("#incident-title .incident-status")).to_have_text("Open")
    version = page.locator(".incident-version").first
    expect(version.locator("h3")).to_have_text("Version 1: opened")
    expect(version.locator(".incident-totals")).to_contain_text("138 Affected")
    expect(version.locator("table[id$=-entered] caption")).to_have_text("Entered (138)")
    expect(page.locator("#incident-checklist-summary")).to_contain_text("for 138 customers")
    axe_clean(watch)
    screenshot(page, served, "incident-opened")
    # the list, by Back; the detail again by Forward
    page.go_back()
    expect(page.locator("#incidents-empty")).to_be_visible()
    page.locator("#incidents-status").select_option("")
    page.locator("#incidents-source").fill("")
    page.locator("#incidents-apply").click()
    row = page.locator(f'#incidents-table tr[data-id="{incident_id}"]')
    expect(row).to_contain_text("Warehouse:RTM-02")
    cells = row.locator("td")
    expect(cells).to_have_text(["6", "Open", "—", re.compile(r"UTC$"), "1", "138"])
    axe_clean(watch)
    screenshot(page, served, "incidents-list")
    page.go_back()
    page.go_forward()
    expect(page.locator("#incidents-table")).to_be_visible()
    row.locator("a").click()
    expect(page.locator("#incident-title")).to_contain_text("Warehouse:RTM-02")
    # acknowledge
    page.locator("#incident-acknowledge").click()
    expect(page.locator("#incident-message")).to_have_text("The incident is acknowledged.")
    expect(page.locator("#incident-message")).to_be_focused()
    expect(page.locator("#incident-title .incident-status")).to_have_text("Acknowledged")
    expect(page.locator("#incident-facts")).to_contain_text(actor(served, Role.RISK))
    expect(page.locator("#incident-acknowledge")).to_have_count(0)
    axe_clean(watch)
    # tick an action: who and when shown, and stored
    box = page.locator(".incident-check input").first
    target, action = box.get_attribute("data-target"), box.get_attribute("data-action")
    box.check()
    expect(page.locator("#incident-message")).to_contain_text(f"Done: {action}")
    box = page.locator(f'.incident-check input[data-target="{target}"][data-action="{action}"]')
    expect(box).to_be_checked()
    by_line = page.locator(f"#{box.get_attribute('id')}-by")
    expect(by_line).to_contain_text(f"done by {actor(served, Role.RISK)}")
    expect(by_line.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
    stored = incident(served, incident_id)
    ticked = [i for i in stored["checklist"] if i["target"] == target and i["action"] == action]
    assert ticked[0]["done"] is True
    assert ticked[0]["by"] == actor(served, Role.RISK)
    axe_clean(watch)
    # what a risk officer sees working an incident, one screen (docs/images/console-incident.png)
    page.locator("#incident-message").scroll_into_view_if_needed()
    page.screenshot(
        path=str(SCREENSHOTS / f"{served.backend}-incident-screen.png"),
        full_page=True,
        clip={"x": 0, "y": 0, "width": 1280, "height": 1250},
    )
    # someone else changes the incident meanwhile: the next tick is refused, said so, and
    # the page shows the incident as it is now
    page.locator("#incident-note-input").fill("half-typed")  # kept through the refresh
    api(served, NOTE, {"id": incident_id, "text": "Admin was here"}, Role.ADMIN)
    other = page.locator(".incident-check input:not(:checked)").first
    other_target = other.get_attribute("data-target")
    other_action = other.get_attribute("data-action")
    other.check()
    message = page.locator("#incident-message")
    expect(message).to_contain_text("Someone changed this incident since you opened it")
    expect(message).to_contain_text("(STALE_REVISION)")
    expect(message).to_have_attribute("role", "alert")
    expect(message).to_be_focused()
    expect(page.locator("#incident-notes")).to_contain_text("Admin was here")
    expect(page.locator("#incident-note-input")).to_have_value("half-typed")
    expect(
        page.locator(
            f'.incident-check input[data-target="{other_target}"][data-action="{other_action}"]'
        )
    ).not_to_be_checked()
    stored = incident(served, incident_id)
    assert not [
        i
        for i in stored["checklist"]
        if i["target"] == other_target and i["action"] == other_action and i["done"]
    ]
    axe_clean(watch)
    screenshot(page, served, "incident-stale")
    # owner and note, then resolve
    page.locator("#incident-assign-input").fill("Risk desk EMEA")
    page.locator("#incident-assign-submit").click()
    expect(page.locator("#incident-message")).to_have_text("The owner is saved.")
    page.locator("#incident-note-input").fill("Broker expects 48 hours more")
    page.locator("#incident-note-submit").click()
    expect(page.locator("#incident-message")).to_have_text("The note is added.")
    expect(page.locator("#incident-notes")).to_contain_text("Broker expects 48 hours more")
    page.locator("#incident-resolve").click()
    expect(page.locator("#incident-message")).to_have_text("The incident is resolved.")
    expect(page.locator("#incident-title .incident-status")).to_have_text("Resolved")
    expect(page.locator("#incident-resolve, #incident-assign")).to_have_count(0)
    expect(page.locator(".incident-check input").first).to_be_disabled()
    expect(page.locator("#incident-note")).to_be_visible()  # a resolved incident takes notes
    axe_clean(watch)
    screenshot(page, served, "incident-resolved")
    stored = incident(served, incident_id)
    assert stored["status"] == "RESOLVED"
    assert stored["owner"] == "Risk desk EMEA"
    # each change the page made is audited, its actor the risk officer's key
    audit = api(served, AUDIT, {}, Role.ADMIN)["auditLog"]["edges"]
    ours = [e["node"] for e in audit if incident_id in e["node"]["ids"]]
    risk, admin = actor(served, Role.RISK), actor(served, Role.ADMIN)
    assert [(n["after"]["why"], n["actor"]) for n in ours] == [
        ("opened", risk), ("acknowledged", risk), ("action checked", risk),
        ("note added", admin), ("assigned", risk), ("note added", risk), ("resolved", risk),
    ]  # fmt: skip
    # the list filtered by status holds it
    page.locator("#incident-back").click()
    page.locator("#incidents-status").select_option("RESOLVED")
    page.locator("#incidents-apply").click()
    expect(page.locator(f'#incidents-table tr[data-id="{incident_id}"]')).to_contain_text(
        "Resolved"
    )


def test_a_role_without_impact_sees_no_incidents_and_the_api_refuses_it(
    watch: PageWatch, served: Served
) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    expect(page.locator("#nav-schema")).to_be_visible()
    expect(page.locator("#nav-incidents")).to_have_count(0)
    page.goto("/#/incidents")
    expect(page.locator("#nav-schema")).to_have_attribute("aria-current", "page")
    expect(page.locator("#report-form, #incidents-table, #incident-actions")).to_have_count(0)
    listed = page.evaluate(FORCE, "{ incidents { totalCount } }")
    assert listed.startswith("FORBIDDEN: incidents needs the impact permission"), listed
    forced = page.evaluate(
        FORCE,
        'mutation { reportDisruption(source: {type: "Warehouse", key: "RTM-02"}, '
        "delayDays: 1) { __typename } }",
    )
    assert forced.startswith("FORBIDDEN: reportDisruption needs the impact"), forced
