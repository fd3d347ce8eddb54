"""Driving the Admin page in the browser tests: keys named for one test run, the page
opened, a second browser signed in with a new key, the audit log filtered."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Locator, Page, expect

from graph_crm.auth.roles import Role
from tests.browser.console import PageWatch
from tests.browser.served import Served


def unique_name(prefix: str) -> str:
    """A key name no other test uses: the shared demo's keys stay as they were."""
    return f"{prefix}-{secrets.token_hex(4)}"


def open_admin(watch: PageWatch) -> Page:
    watch.sign_in(Role.ADMIN)
    page = watch.page
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Admin", exact=True)).to_be_focused()
    expect(page.locator("#audit-table")).to_be_visible()
    audit_settled(page)
    return page


def audit_settled(page: Page) -> None:
    """Wait for the audit log's newest answer to land: its results are busy until then (a
    page that never navigates is "networkidle" from its first load on, so that wait would
    not wait for a filter's answer)."""
    expect(page.locator("#audit-results")).not_to_have_attribute("aria-busy", "true")


def key_row(page: Page, name: str) -> Locator:
    return page.locator("#keys-table tbody tr", has=page.get_by_role("rowheader", name=name))


def admin_actor(served: Served) -> str:
    """How the audit log records the admin tester's key."""
    return f"key:{served.tokens[Role.ADMIN].split('_')[1]} (Admin tester)"


@contextmanager
def second_browser(chromium: Browser, served: Served) -> Iterator[PageWatch]:
    """Another browser context (its own sessionStorage), watched like the first."""
    context = chromium.new_context(
        base_url=served.base, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    watched = PageWatch(context.new_page(), served)
    try:
        yield watched
        watched.assert_clean()
    finally:
        context.close()


def audit_rows(page: Page) -> list[tuple[str, str]]:
    """(action, ids) of each record the audit table shows, in order, read at one instant."""
    rows: list[list[str]] = page.locator("#audit-table tbody tr[data-action]").evaluate_all(
        "rows => rows.map((row) => [row.dataset.action, row.dataset.ids])"
    )
    return [(action, ids) for action, ids in rows]
