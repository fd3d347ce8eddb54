"""The Incidents page itself: hostile text in a note and an owner shown as text (both
backends: it writes), and on the embedded store only (``page_only``): a version's diff
with tier changes, the list paged by the API's cursors with Back and Forward, the page in
Chinese, axe-core on each state, and the main path by keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from graph_crm.auth.roles import Role
from tests.browser.conftest import screenshot
from tests.browser.console import PageWatch, tab_to
from tests.browser.incidents import actor, incident, open_incident, report
from tests.browser.served import Served

HOSTILE = '<img src=x onerror="window.__owned=1"><script>window.__owned=2</script>'


def test_hostile_text_in_a_note_and_an_owner_is_shown_as_text(
    watch: PageWatch, served: Served
) -> None:
    incident_id = report(served, "HAM-01", 2, note=HOSTILE)
    page = open_incident(watch, Role.RISK, incident_id)
    page.locator("#incident-assign-input").fill(HOSTILE)
    page.locator("#incident-assign-submit").click()
    expect(page.locator("#incident-message")).to_have_text("The owner is saved.")
    page.locator("#incident-note-input").fill(f"{HOSTILE}\nsecond line")
    page.locator("#incident-note-submit").click()
    expect(page.locator("#incident-message")).to_have_text("The note is added.")
    expect(page.locator(".incident-note-text").last).to_have_text(f"{HOSTILE}\nsecond line")
    expect(page.locator("#incident-facts")).to_contain_text(HOSTILE)  # owner and report note
    page.locator("#incident-back").click()
    row = page.locator(f'#incidents-table tr[data-id="{incident_id}"]')
    expect(row.locator("td").nth(2)).to_have_text(HOSTILE)
    # nothing of it was parsed as markup
    assert page.locator("main img, main script").count() == 0
    assert page.evaluate("window.__owned === undefined")
    stored = incident(served, incident_id)
    assert stored["owner"] == HOSTILE
    assert stored["notes"][-1] == {"author": actor(served, Role.RISK),
                                   "text": f"{HOSTILE}\nsecond line"}  # fmt: skip
    # an owner too long (the server judges it: the field sets no limit) is refused at it
    page.goto(f"/#/incidents?id={incident_id}")
    page.locator("#incident-assign-input").fill("x" * 300)
    page.locator("#incident-assign-submit").click()
    expect(page.locator("#incident-assign-input-error")).to_contain_text("INVALID_INPUT")
    expect(page.locator("#incident-assign-input")).to_have_attribute("aria-invalid", "true")
    assert incident(served, incident_id)["owner"] == HOSTILE
    assert watch.axe() == []


@pytest.mark.page_only
def test_versions_diff_paging_and_chinese(watch: PageWatch, served: Served) -> None:
    first = report(served, "HAM-01", 1)
    again = report(served, "HAM-01", 9)  # a new delay: a version with tier changes
    assert again == first
    page = open_incident(watch, Role.RISK, first)
    newest = page.locator(".incident-version").first
    expect(newest.locator("h3")).to_contain_text("delay updated")
    changed = newest.locator("table[id$=-changed]")
    expect(changed.locator("caption")).to_contain_text("Tier changes")
    expect(changed.locator("tbody tr").first.locator("td").last).to_contain_text("delay 9 days")
    # an older version's diff is read when it is opened
    older = page.locator(".incident-version").last
    older.locator("summary").click()
    expect(older.locator("table[id$=-entered] caption")).to_contain_text("Entered")
    shown_all = older.locator("button[id$=-entered-all]")
    if shown_all.count():
        shown_all.click()
        expect(older.locator("table[id$=-entered] tbody tr:visible")).not_to_have_count(10)
    # the checklist, 20 customers a page
    expect(page.locator("#incident-checklist .pager")).to_contain_text("Page 1 of 5")
    page.locator("#checklist-next").click()
    expect(page.locator("#incident-checklist .pager")).to_contain_text("Page 2 of 5")
    expect(page.locator("#checklist-next")).to_be_focused()
    assert watch.axe() == []
    screenshot(page, served, "incident-versions")
    # in Chinese, the view kept
    page.locator("#language").select_option("zh")
    expect(page.locator("#page-title")).to_have_text("事件")
    expect(page.locator("#incident-acknowledge")).to_have_text("确认")
    assert watch.axe() == []
    screenshot(page, served, "incident-zh")
    page.locator("#incident-back").click()
    expect(page.locator("#incidents-list-title")).to_have_text("事件（最新在前）")
    assert watch.axe() == []
    page.locator("#language").select_option("en")
    # a page of one: Next and Previous walk the API's cursors, Back returns
    report(served, "RTM-02", 2)  # a second incident (or a version of the open one)
    page.goto("/#/incidents?size=1")
    expect(page.locator("#incidents-table caption")).to_contain_text("page 1")
    first_row = page.locator("#incidents-table tbody tr").first.get_attribute("data-id")
    page.locator("#incidents-next").click()
    expect(page.locator("#incidents-table caption")).to_contain_text("page 2")
    second_row = page.locator("#incidents-table tbody tr").first.get_attribute("data-id")
    assert second_row != first_row
    assert watch.axe() == []
    page.go_back()
    expect(page.locator("#incidents-table caption")).to_contain_text("page 1")
    page.go_forward()
    expect(page.locator("#incidents-table caption")).to_contain_text("page 2")
    page.locator("#incidents-previous").click()
    expect(page.locator("#incidents-table tbody tr").first).to_have_attribute(
        "data-id", first_row or ""
    )
    # a source that is no global id: refused at the filter's field
    page.locator("#incidents-source").fill("not an id")
    page.locator("#incidents-apply").click()
    expect(page.locator("#incidents-source-error")).to_contain_text("INVALID_INPUT")
    assert watch.axe() == []


@pytest.mark.page_only
def test_the_main_path_by_keyboard_alone(watch: PageWatch, served: Served) -> None:
    watch.sign_in(Role.RISK)
    page = watch.page
    keyboard = page.keyboard
    tab_to(page, "#nav-incidents")
    keyboard.press("Enter")
    expect(page.locator("#page-title")).to_be_focused()
    # report, by the form: Enter submits it, and the incident opens
    tab_to(page, "#report-key")
    keyboard.type("HAM-01")
    keyboard.press("Tab")
    keyboard.type("3")
    keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"id=inc-[0-9a-f]{16}$"))
    expect(page.locator("#page-title")).to_be_focused()
    incident_id = page.url.rsplit("=", 1)[1]
    # back to the list, and into the incident again from its row
    tab_to(page, "#incident-back")
    keyboard.press("Enter")
    expect(page.locator("#page-title")).to_be_focused()
    tab_to(page, f'#incidents-table tr[data-id="{incident_id}"] a')
    keyboard.press("Enter")
    expect(page.locator("#page-title")).to_be_focused()
    expect(page).to_have_url(re.compile(f"id={incident_id}$"))
    status = incident(served, incident_id)["status"]
    if status == "OPEN":
        tab_to(page, "#incident-acknowledge")
        keyboard.press("Enter")
        expect(page.locator("#incident-message")).to_be_focused()
    box_id = page.locator(".incident-check input:not(:checked)").first.get_attribute("id")
    tab_to(page, f"#{box_id}")
    keyboard.press("Space")
    expect(page.locator("#incident-message")).to_be_focused()
    expect(page.locator(f"#{box_id}")).to_be_checked()
    tab_to(page, "#incident-note-input")
    keyboard.type("by keyboard")
    tab_to(page, "#incident-note-submit")
    keyboard.press("Enter")
    expect(page.locator("#incident-message")).to_have_text("The note is added.")
    expect(page.locator("#incident-notes")).to_contain_text("by keyboard")
    assert watch.axe() == []
