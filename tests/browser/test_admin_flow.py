"""Flow 4 of issue 14 in a real browser, on both backends: the admin creates a key, its
holder signs in with it in another browser, the admin revokes it, the holder's session is
signed out at its next request, and the admin finds both changes in the audit log.

It runs on the shared `served` demo: the keys it makes are named `flow4-<random>` and only
they are revoked, so the demo's data and the other tests' keys stay as they were.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.admin import (
    admin_actor,
    audit_rows,
    audit_settled,
    key_row,
    open_admin,
    second_browser,
    unique_name,
)
from tests.browser.conftest import screenshot
from tests.browser.console import PageWatch, storage
from tests.browser.served import Served


def test_flow_4_create_sign_in_revoke_signed_out_and_both_in_the_audit_log(
    watch: PageWatch, served: Served, chromium: Browser
) -> None:
    page = open_admin(watch)
    assert watch.axe() == []
    name = unique_name("flow4")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Role", exact=True).select_option("CONFIG_OFFICER")
    expect(page.locator("#key-role-hint")).to_contain_text("defines entity types")
    page.get_by_role("button", name="Create key").click()

    # the token, shown once, in a dialog that says so
    dialog = page.get_by_role("dialog", name=f"Key {name} created: copy its token now")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("You will not see this token again")
    token = dialog.get_by_label(f"Token of {name}").input_value()
    assert token.startswith("gcrm_")
    expect(dialog.get_by_role("button", name="Copy")).to_be_focused()
    assert watch.axe() == []
    screenshot(page, served, "admin-token")
    dialog.get_by_role("button", name="Copy").click()
    expect(dialog.get_by_role("status")).to_contain_text(re.compile("Copied|Ctrl"))
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    assert token not in page.content()  # gone with the dialog
    expect(page.locator("#keys-status")).to_have_text(f"Key {name} created.")
    expect(page.locator("#keys-status")).to_be_focused()
    row = key_row(page, name)
    expect(row).to_contain_text("Config officer")
    key_id = token.split("_")[1]
    expect(row).to_contain_text(key_id)

    with second_browser(chromium, served) as holder:
        holder.expected_statuses.add(401)
        other = holder.page
        other.goto("/")
        other.get_by_label("API key").fill(token)
        other.get_by_role("button", name="Sign in").click()
        expect(other.locator("#who-name")).to_have_text(name)
        expect(other.locator("#who-role")).to_have_text("Config officer")
        expect(other.get_by_role("heading", name="Schema", exact=True)).to_be_visible()

        # the admin revokes it, after a confirmation that names it
        row.get_by_role("button", name=f"Revoke {name}").click()
        confirm = page.get_by_role("dialog", name=f"Revoke the key {name}?")
        expect(confirm).to_contain_text(key_id)
        expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
        assert watch.axe() == []
        screenshot(page, served, "admin-revoke")
        confirm.get_by_role("button", name=f"Revoke {name}").click()
        expect(confirm).to_be_hidden()
        expect(page.locator("#keys-status")).to_have_text(f"Key {name} revoked.")
        expect(key_row(page, name)).to_have_count(0)  # the list shows active keys
        page.get_by_label("Show", exact=True).select_option("revoked")
        expect(key_row(page, name)).to_contain_text("Revoked")

        # the holder's next request (the language switch re-reads the page) signs it out
        other.get_by_label("Language").select_option("zh")
        expect(other.get_by_role("heading", name="登录")).to_be_visible()
        expect(other.get_by_role("alert")).to_contain_text("the API key was revoked")
        assert storage(other)["session"] == {}

    # both changes in the audit log, filtered by the admin's actor and the kind "API key"
    page.get_by_label("Actor", exact=True).fill(admin_actor(served))
    page.get_by_label("Kind", exact=True).select_option("apiKey")
    page.get_by_role("button", name="Apply filters").click()
    audit_settled(page)
    expect(page.locator("#audit-table tbody tr[data-action]").first).to_have_attribute(
        "data-ids", key_id
    )
    ours = [action for action, ids in audit_rows(page) if ids == key_id]
    assert ours == ["key.revoke", "key.create"]  # newest first
    revoked_row = page.locator(f'#audit-table tr[data-ids="{key_id}"]').first
    expect(revoked_row).to_contain_text("Key revoked")
    moment = revoked_row.locator("time")
    iso = moment.get_attribute("datetime") or ""
    assert iso.endswith("Z")
    assert moment.get_attribute("title") == iso
    created_row = page.locator(f'#audit-table tr[data-ids="{key_id}"]').nth(1)
    expect(created_row).to_contain_text("Key created")
    created_row.get_by_role("button", name="Details").click()
    expect(created_row.get_by_role("button", name="Details")).to_have_attribute(
        "aria-expanded", "true"
    )
    details = page.locator("#audit-table tr.audit-details:visible")
    expect(details).to_contain_text(f'"name": "{name}"')
    expect(details).to_contain_text('"role": "config_officer"')
    assert watch.axe() == []
    screenshot(page, served, "admin-audit")


@pytest.mark.page_only
def test_the_admin_page_in_chinese(watch: PageWatch, served: Served) -> None:
    page = open_admin(watch)
    page.get_by_label("Language").select_option("zh")
    expect(page.get_by_role("heading", name="管理", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="审计日志")).to_be_visible()
    expect(page.get_by_role("button", name="创建密钥")).to_be_visible()
    expect(page.locator("#audit-table caption")).to_have_text("审计记录，第 1 页")
    assert watch.axe() == []
    screenshot(page, served, "admin-zh")
    page.get_by_label("语言").select_option("en")
    expect(page.get_by_role("heading", name="Admin", exact=True)).to_be_visible()
