"""The Schema page for a role without the define permission, on the shared demo (it changes
nothing): an analyst sees the model read-only, with no control that would change it, and a
change forced past the page (a hidden control's call, sent with the tab's key) gets FORBIDDEN
from the server; the page in Chinese; axe on its read-only states. Both backends (the page
in Chinese on the embedded store only: ``page_only``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from graph_crm.auth.roles import Role
from tests.browser.conftest import screenshot
from tests.browser.console import PageWatch
from tests.browser.served import Served

#: What the page's own api.js answers when the analyst's tab asks for a change anyway.
FORCE_ADD_PROPERTY = """async () => {
  const { graphql } = await import("/static/console/api.js");
  try {
    await graphql(`mutation { addProperty(type: "Warehouse",
      property: {name: "forced", kind: STRING}) { __typename } }`);
    return "written";
  } catch (error) {
    return `${error.code}: ${error.message}`;
  }
}"""
WRITE_CONTROLS = (
    "#new-entity-type, #new-relation-type, #add-property, #drop-type, #details-form, "
    "#property-form, #new-policy, #schema-section-history, .row-actions"
)


def test_an_analyst_reads_the_schema_without_write_actions_and_a_forced_change_is_forbidden(
    watch: PageWatch, served: Served
) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    expect(page.locator("#nav-schema")).to_have_attribute("aria-current", "page")
    expect(page.locator("#schema-diagram")).to_have_attribute("data-drawn", "true")
    expect(page.locator(WRITE_CONTROLS)).to_have_count(0)
    assert watch.axe() == []
    # a type's detail: its properties and relation types, no action
    page.get_by_role("button", name="Warehouse", exact=True).click()
    expect(page.locator("#detail-title")).to_be_focused()
    expect(page.locator("#property-table tbody th")).to_have_text(["name", "city", "country"])
    expect(page.locator("#property-table thead")).not_to_contain_text("Actions")
    expect(page.get_by_role("table", name="Relation types of Warehouse")).to_contain_text(
        "SHIPPED_VIA"
    )
    expect(page.locator(WRITE_CONTROLS)).to_have_count(0)
    assert watch.axe() == []
    screenshot(page, served, "schema-analyst-detail")
    # the policies, listed, not editable
    page.get_by_role("button", name="Impact policies", exact=True).click()
    expect(page.locator("#policy-table")).to_contain_text("customs-delay")
    expect(page.locator("#policy-table button, #new-policy, #policy-json")).to_have_count(0)
    # forced anyway: the server refuses, and nothing changed
    answer = page.evaluate(FORCE_ADD_PROPERTY)
    assert answer.startswith("FORBIDDEN: addProperty needs the define permission"), answer
    page.get_by_role("button", name="Types", exact=True).click()
    page.get_by_role("button", name="Warehouse", exact=True).click()
    expect(page.locator("#property-table tbody th")).to_have_text(["name", "city", "country"])


@pytest.mark.page_only
def test_the_schema_page_speaks_chinese_and_keeps_its_view(
    watch: PageWatch, served: Served
) -> None:
    watch.sign_in(Role.CONFIG_OFFICER)
    page = watch.page
    page.get_by_role("button", name="Warehouse", exact=True).click()
    expect(page.locator("#detail-title")).to_have_text("Entity type: Warehouse")
    page.get_by_label("Language").select_option("zh")
    # the same view, in Chinese
    expect(page.locator("#detail-title")).to_have_text("实体类型：Warehouse")
    expect(page.get_by_role("table", name="Warehouse 的属性")).to_be_visible()
    expect(page.get_by_role("button", name="添加属性")).to_be_visible()
    expect(page.locator("#schema-section-history")).to_have_text("变更历史")
    assert watch.axe() == []
    screenshot(page, served, "schema-detail-zh")
    page.get_by_role("button", name="类型", exact=True).click()
    page.get_by_role("button", name="新建实体类型").click()
    # not an API name, and markup: refused at the field, shown as text, never parsed
    hostile = '<img src="/x" onerror="alert(1)">报关行'
    page.locator("#type-name").fill(hostile)
    page.get_by_role("button", name="预览").click()
    expect(page.locator("#type-name-error")).to_contain_text("PascalCase")
    expect(page.locator("#type-name-error")).to_contain_text(hostile)
    expect(page.locator("main img")).to_have_count(0)
    expect(page.locator("form .hint").first).to_contain_text("ASCII 大驼峰")
    assert watch.axe() == []
    screenshot(page, served, "schema-new-type-zh")
