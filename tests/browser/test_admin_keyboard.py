"""The Admin page by keyboard alone, its refusals at their fields, and its audit log's pages;
on the embedded store (``page_only``: the keys API under the page is tested on both
backends in tests/api), against the shared `served` demo (keys named `kbd-<random>` or never
made, and only those revoked)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.admin import audit_settled, key_row, open_admin, unique_name
from tests.browser.conftest import screenshot
from tests.browser.console import PageWatch
from tests.browser.served import Served


def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus (as a keyboard user moves)."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


@pytest.mark.page_only
def test_creating_and_revoking_a_key_works_by_keyboard_alone(
    watch: PageWatch, served: Served
) -> None:
    page = open_admin(watch)
    name = unique_name("kbd")
    tab_to(page, page.get_by_label("Name", exact=True))
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Role", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")  # Analyst -> Risk
    expect(page.locator("#key-role-hint")).to_contain_text("impact reports")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Create key")).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=f"Key {name} created: copy its token now")
    expect(dialog.get_by_role("button", name="Copy")).to_be_focused()
    page.keyboard.press("Escape")  # closes the dialog, as Done does
    expect(dialog).to_be_hidden()
    expect(page.locator("#keys-status")).to_be_focused()
    row = key_row(page, name)
    expect(row).to_contain_text("Risk")

    revoke = row.get_by_role("button", name=f"Revoke {name}")
    tab_to(page, revoke)
    page.keyboard.press("Enter")
    confirm = page.get_by_role("dialog", name=f"Revoke the key {name}?")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")  # Cancel: nothing revoked, the focus goes back
    expect(confirm).to_be_hidden()
    expect(revoke).to_be_focused()
    page.keyboard.press("Enter")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Tab")
    expect(confirm.get_by_role("button", name=f"Revoke {name}")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#keys-status")).to_have_text(f"Key {name} revoked.")
    expect(page.locator("#keys-status")).to_be_focused()
    expect(key_row(page, name)).to_have_count(0)


@pytest.mark.page_only
def test_refusals_show_at_their_field_and_keep_what_was_typed(
    watch: PageWatch, served: Served
) -> None:
    page = open_admin(watch)
    name_field = page.get_by_label("Name", exact=True)
    name_field.fill("no/slashes <here>")
    page.get_by_role("button", name="Create key").click()
    error = page.locator("#key-name-error")
    expect(error).to_contain_text("INVALID_INPUT")
    expect(error).to_have_attribute("role", "alert")
    expect(name_field).to_have_attribute("aria-invalid", "true")
    expect(name_field).to_be_focused()
    expect(name_field).to_have_value("no/slashes <here>")
    expect(key_row(page, "no/slashes <here>")).to_have_count(0)
    assert watch.axe() == []

    # a time range that ends before it starts: the server refuses it at `until`
    page.get_by_label("From", exact=True).fill("2026-12-02T10:00:00")
    page.get_by_label("To", exact=True).fill("2026-12-01T10:00:00")
    page.get_by_role("button", name="Apply filters").click()
    until_error = page.locator("#audit-until-error")
    expect(until_error).to_contain_text("until must be later than since")
    expect(page.get_by_label("To", exact=True)).to_be_focused()
    expect(page.get_by_label("From", exact=True)).to_have_value("2026-12-02T10:00")
    assert watch.axe() == []
    screenshot(page, served, "admin-refused")
    page.get_by_role("button", name="Clear filters").click()
    expect(until_error).to_be_empty()
    expect(page.get_by_label("To", exact=True)).to_have_value("")


@pytest.mark.page_only
def test_the_audit_log_pages_forward_and_back_and_reads_oldest_first(
    watch: PageWatch, served: Served
) -> None:
    page = open_admin(watch)
    status = page.locator("#audit-status")
    expect(status).to_contain_text("Records 1–20 of ")
    total = int(status.inner_text().rsplit(" ", 1)[1])
    assert total > 20  # the demo's writes and the keys made for the tests
    first_page = page.locator("#audit-table tbody tr[data-action]").all_inner_texts()
    page.get_by_role("button", name="Next page").click()
    expect(page.locator("#audit-table caption")).to_have_text("Audit records, page 2")
    expect(status).to_contain_text("Records 21–")
    page.get_by_role("button", name="Previous page").click()
    expect(page.locator("#audit-table caption")).to_have_text("Audit records, page 1")
    assert page.locator("#audit-table tbody tr[data-action]").all_inner_texts() == first_page
    # oldest first begins with the demo's first write
    page.get_by_label("Order", exact=True).select_option("OLDEST_FIRST")
    page.get_by_label("Actor", exact=True).fill("demo")
    page.get_by_role("button", name="Apply filters").click()
    audit_settled(page)
    expect(page.locator("#audit-table tbody tr[data-action]").first).to_contain_text("demo")
    times = page.locator("#audit-table tbody time").evaluate_all(
        "elements => elements.map((e) => e.getAttribute('datetime'))"
    )
    assert times == sorted(times)
