"""The console in a real browser against a real `graph-crm serve` with the demo: sign-in,
who you are and a revoked key on both backends; the navigation each role gets, languages,
sign-out and keyboard use (``page_only``) on the embedded store. Every test also fails on a
CSP violation, a script error or a request that leaves the server (tests/browser/conftest.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from graph_crm.auth.roles import Role
from tests.browser.conftest import screenshot
from tests.browser.console import PageWatch, storage
from tests.browser.served import Served

#: The pages each role's navigation shows, from the permissions its role holds.
NAVIGATION = {
    Role.ANALYST: ["Schema", "Explore"],
    Role.RISK: ["Schema", "Explore", "Impact", "Incidents"],
    Role.CONFIG_OFFICER: ["Schema", "Explore"],
    Role.INTEGRATION: ["Schema", "Explore"],
    Role.ADMIN: ["Schema", "Explore", "Impact", "Incidents", "Admin"],
}
ROLE_NAMES = {
    Role.ANALYST: "Analyst",
    Role.RISK: "Risk",
    Role.CONFIG_OFFICER: "Config officer",
    Role.INTEGRATION: "Integration",
    Role.ADMIN: "Admin",
}


def nav_pages(page: Page) -> list[str]:
    links = page.locator("#nav-list a")
    return [text.split(" · ")[0] for text in links.all_inner_texts()]


def test_signing_in_shows_the_keys_name_and_role_and_keeps_the_key_in_the_tab_only(
    watch: PageWatch, served: Served
) -> None:
    page = watch.page
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, served, "sign-in")
    watch.sign_in(Role.ADMIN)
    expect(page.locator("#who-name")).to_have_text("Admin tester")
    expect(page.locator("#who-role")).to_have_text("Admin")
    token = served.tokens[Role.ADMIN]
    kept = storage(page)
    assert kept["session"] == {"graph-crm.key": token}
    assert token not in str(kept["local"])
    assert page.context.cookies() == []
    assert token not in page.url
    # a reload in the same tab stays signed in
    page.reload()
    expect(page.locator("#who-name")).to_have_text("Admin tester")


@pytest.mark.page_only
def test_a_bad_key_shows_a_clear_error_and_stays_signed_out(
    watch: PageWatch, served: Served
) -> None:
    watch.expected_statuses.add(401)
    page = watch.page
    page.goto("/")
    page.get_by_label("API key").fill("gcrm_0000000000000000_not-a-real-secret")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The key was not accepted")
    expect(alert).to_contain_text("UNAUTHENTICATED")
    expect(page.locator("#who")).to_be_hidden()
    expect(page.locator("#nav")).to_be_hidden()
    assert storage(page)["session"] == {}
    screenshot(page, served, "sign-in-refused")


@pytest.mark.page_only
@pytest.mark.parametrize("role", list(Role))
def test_the_navigation_shows_the_pages_the_roles_permissions_allow(
    watch: PageWatch, served: Served, role: Role
) -> None:
    watch.sign_in(role)
    page = watch.page
    expect(page.locator("#who-role")).to_have_text(ROLE_NAMES[role])
    assert nav_pages(page) == NAVIGATION[role]
    expect(page.locator("#nav-list a[aria-current=page]")).to_have_count(1)
    if role is not Role.ADMIN:
        # a page the role may not see is not opened by its URL either
        page.goto("/#/admin")
        expect(page.locator("#page-title")).not_to_have_text("Admin")


@pytest.mark.page_only
def test_the_language_switch_changes_the_text_and_is_remembered(
    watch: PageWatch, served: Served
) -> None:
    watch.sign_in(Role.CONFIG_OFFICER)
    page = watch.page
    expect(page.get_by_role("heading", name="Schema", exact=True)).to_be_visible()
    page.get_by_label("Language").select_option("zh")
    expect(page.get_by_role("heading", name="模型", exact=True)).to_be_visible()
    expect(page.locator("#who-role")).to_have_text("配置专员")
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    assert nav_pages(page) == ["模型", "探索"]
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    expect(page.get_by_role("table").first).to_contain_text("实体数")
    screenshot(page, served, "schema-zh")
    page.reload()
    expect(page.get_by_role("heading", name="模型", exact=True)).to_be_visible()
    assert storage(page)["local"] == {"graph-crm.language": "zh"}
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", name="Schema", exact=True)).to_be_visible()


def test_a_key_revoked_while_signed_in_signs_the_tab_out_with_the_reason(
    watch: PageWatch, served: Served
) -> None:
    token = served.new_key(Role.ANALYST, "Soon revoked")
    watch.expected_statuses.add(401)
    page = watch.page
    page.goto("/")
    page.get_by_label("API key").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#who-name")).to_have_text("Soon revoked")
    served.revoke(token)
    page.get_by_role("link", name="Explore").click()  # the page's first request is refused
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("the API key was revoked")
    assert storage(page)["session"] == {}


@pytest.mark.page_only
def test_signing_out_forgets_the_key(watch: PageWatch, served: Served) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text("You are signed out.")
    assert storage(page)["session"] == {}
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


@pytest.mark.page_only
def test_signing_in_and_moving_between_pages_works_by_keyboard_alone(
    watch: PageWatch, served: Served
) -> None:
    page = watch.page
    page.goto("/")
    # the key field has the focus; the form submits on Enter
    expect(page.get_by_label("API key")).to_be_focused()
    page.keyboard.type(served.tokens[Role.ADMIN])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Schema", exact=True)).to_be_focused()
    # from the top of a fresh page: skip link, brand, then the navigation in order
    page.reload()
    expect(page.locator("#nav-schema")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#nav-schema")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#nav-explore")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Explore")).to_be_focused()
    # the skip link moves the focus to the page's content
    page.reload()
    expect(page.locator("#nav-explore")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page.locator("#nav-explore")).to_have_attribute("aria-current", "page")
