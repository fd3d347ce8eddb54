"""Computed properties in the Schema page's property form, in a real browser: a config
officer adds a formula to the demo's shipments (the value shows in Explore's list), meets
a type error at the formula field with the text kept, and defines a rollup on Warehouse
through its selects; the Computed choice disables required/unique/default; axe clean; the
formula path by keyboard alone.

These flows change the schema, so this module starts a demo server of its own per backend,
as test_schema_forms.py does (`schema_served`)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from graph_crm.auth.roles import Role
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.browser.console import PageWatch, tab_to
from tests.browser.served import Served
from tests.browser.test_schema_forms import SLOW, api, mutations_sent, schema_served, watch

__all__ = ["schema_served", "watch"]  # the fixtures, as test_schema_forms.py defines them

SPECS = """query($name: String!) { entityType(name: $name) {
  properties { name kind required unique default computed } } }"""
TOP_SHIPMENT = """{ shipments(orderBy: [{field: value, direction: DESC}], first: 1) {
  edges { node { key value valueK } } } }"""
WAREHOUSES = """{ warehouses(orderBy: [{field: inTransit, direction: DESC}], first: 3) {
  edges { node { key inTransit } } } }"""


def spec(served: Served, type_name: str, name: str) -> dict[str, Any] | None:
    found = api(served, SPECS, {"name": type_name})["entityType"]["properties"]
    return next((p for p in found if p["name"] == name), None)


def open_type(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.locator("#detail-title")).to_have_text(f"Entity type: {name}")


def computed_choice(form: Locator) -> Locator:
    return form.get_by_label("Computed", exact=True)


def test_formula_and_rollup_defined_in_the_form_refusal_at_the_field(
    watch: PageWatch, schema_served: Served
) -> None:
    served = schema_served
    watch.sign_in(Role.CONFIG_OFFICER)
    page = watch.page
    expect(page.locator("#schema-diagram")).to_have_attribute("data-drawn", "true")
    open_type(page, "Shipment")
    page.get_by_role("button", name="Add a property").click()
    form = page.locator("#property-form")
    form.get_by_label("Property name").fill("valueK")
    form.get_by_label("Kind").select_option("FLOAT")
    form.get_by_label("Required").check()
    # computed: the stored-only controls are disabled, and the formula field is shown
    computed_choice(form).select_option("formula")
    expect(form.get_by_label("Required")).to_be_disabled()
    expect(form.get_by_label("Required")).not_to_be_checked()  # shown as it will be sent
    expect(form.get_by_label("Unique")).to_be_disabled()
    expect(form.get_by_label("Default")).to_be_disabled()
    # back to a stored property: the tick it had returns
    computed_choice(form).select_option("none")
    expect(form.get_by_label("Required")).to_be_checked()
    computed_choice(form).select_option("formula")
    formula = form.get_by_label("Formula", exact=True)
    expect(formula).to_be_visible()
    assert "monospace" in formula.evaluate("e => getComputedStyle(e).fontFamily")

    # a type error: refused at the formula field, what was typed kept, nothing stored
    bad = "round(status * 2, 1)"
    formula.fill(bad)
    form.get_by_role("button", name="Save").click()
    expect(formula).to_have_attribute("aria-invalid", "true", timeout=SLOW)
    expect(formula).to_be_focused()
    error = form.locator(".field-error").filter(has_text="needs numbers")
    expect(error).to_contain_text("(character ")
    expect(formula).to_have_value(bad)
    assert spec(served, "Shipment", "valueK") is None
    screenshot(page, served, "schema-formula-refused")
    # the form alone: docs/images/console-schema-formula.png
    form.screenshot(path=str(SCREENSHOTS / f"{served.backend}-schema-formula-form.png"))
    assert watch.axe() == []

    # corrected: one addProperty, sent as the API expects, not required though it was ticked
    formula.fill("round(value / 1000, 1)")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#schema-notice")).to_have_text("Property valueK added.", timeout=SLOW)
    sent = mutations_sent(watch, "addProperty")[-1]["property"]
    assert (sent["computed"], sent["required"], sent["unique"], sent["default"]) == (
        "round(value / 1000, 1)", False, False, None,
    )  # fmt: skip
    assert spec(served, "Shipment", "valueK") == {
        "name": "valueK", "kind": "FLOAT", "required": False, "unique": False,
        "default": None, "computed": "round(value / 1000, 1)",
    }  # fmt: skip
    expect(page.locator("#property-table")).to_contain_text("round(value / 1000, 1)")
    top = api(served, TOP_SHIPMENT)["shipments"]["edges"][0]["node"]
    assert top["valueK"] == round(top["value"] / 1000, 1)

    # the value, in Explore's list of shipments
    page.goto("/#/explore?type=Shipment&sort=value:desc&size=10")
    results = page.locator("#results")
    expect(results.locator("thead")).to_contain_text("valueK")
    expect(results.locator("tbody tr").first.locator("td").last).to_have_text(str(top["valueK"]))
    screenshot(page, served, "schema-formula-explore")

    # a rollup on Warehouse: the sum of its in-transit shipments' value, over SHIPPED_VIA in
    page.get_by_role("link", name="Schema").click()
    page.get_by_role("button", name="Back to all types").click()  # the page kept Shipment
    open_type(page, "Warehouse")
    page.get_by_role("button", name="Add a property").click()
    form.get_by_label("Property name").fill("inTransit")
    form.get_by_label("Kind").select_option("FLOAT")
    computed_choice(form).select_option("rollup")
    form.get_by_label("Aggregate").select_option("sum")
    form.get_by_label("Path: first hop").select_option("SHIPPED_VIA IN")
    expect(form.get_by_label("Path: second hop (optional)")).to_be_enabled()
    far = form.get_by_label("Far property")
    expect(far.locator("option")).to_contain_text(["None (count only)", "status", "value"])
    far.select_option("value")
    where = form.get_by_label("Where (optional)")
    where.fill("status = 'IN_TRANSIT' AND now() > eta")
    form.get_by_role("button", name="Save").click()
    # the server refuses now() in a stored rollup's where: at the where field, text kept
    expect(where).to_have_attribute("aria-invalid", "true", timeout=SLOW)
    expect(where).to_have_value("status = 'IN_TRANSIT' AND now() > eta")
    screenshot(page, served, "schema-rollup-refused")
    where.fill("status = 'IN_TRANSIT'")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#schema-notice")).to_have_text("Property inTransit added.", timeout=SLOW)
    rollup = {"rollup": "sum", "path": [{"relation": "SHIPPED_VIA", "direction": "IN"}],
              "property": "value", "where": "status = 'IN_TRANSIT'"}  # fmt: skip
    assert mutations_sent(watch, "addProperty")[-1]["property"]["computed"] == rollup
    assert spec(served, "Warehouse", "inTransit")["computed"] == rollup  # type: ignore[index]
    values = [e["node"]["inTransit"] for e in api(served, WAREHOUSES)["warehouses"]["edges"]]
    assert values[0] > 0
    screenshot(page, served, "schema-rollup-defined")
    assert watch.axe() == []
    # changing it: the form opens with the rollup's choices
    page.get_by_role("button", name="Change property inTransit").click()
    expect(computed_choice(form)).to_have_value("rollup")
    expect(form.get_by_label("Path: first hop")).to_have_value("SHIPPED_VIA IN")
    expect(form.get_by_label("Far property")).to_have_value("value")
    expect(form.get_by_label("Default")).to_be_disabled()
    assert watch.axe() == []


@pytest.mark.page_only
def test_a_formula_is_defined_by_keyboard_alone_and_the_choice_reads_in_chinese(
    watch: PageWatch, schema_served: Served
) -> None:
    page = watch.page
    watch.sign_in_by_keyboard(Role.CONFIG_OFFICER)
    expect(page.locator("#schema-diagram")).to_have_attribute("data-drawn", "true")
    open_type(page, "Customer")
    tab_to(page, "#add-property")
    page.keyboard.press("Enter")
    form = page.locator("#property-form")
    expect(form.get_by_label("Property name")).to_be_focused()
    page.keyboard.type("hasCountry")
    tab_to(page, "#property-form select >> nth=0")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # BOOLEAN
    expect(form.get_by_label("Kind")).to_have_value("BOOLEAN")
    choice = computed_choice(form)
    tab_to(page, f"#{choice.get_attribute('id')}")
    page.keyboard.press("ArrowDown")
    expect(choice).to_have_value("formula")
    formula = form.get_by_label("Formula", exact=True)
    tab_to(page, f"#{formula.get_attribute('id')}")
    page.keyboard.type("country IS NOT NULL")
    tab_to(page, "#property-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#schema-notice")).to_have_text("Property hasCountry added.", timeout=SLOW)
    assert spec(schema_served, "Customer", "hasCountry") == {
        "name": "hasCountry", "kind": "BOOLEAN", "required": False, "unique": False,
        "default": None, "computed": "country IS NOT NULL",
    }  # fmt: skip

    # in Chinese: the choice, its hint and the rollup's fields
    page.get_by_label("Language").select_option("zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.locator("#add-property").click()
    choice = form.get_by_label("计算属性", exact=True)
    expect(choice.locator("option")).to_have_text(["否（存储的属性）", "公式", "汇总"])
    choice.select_option("rollup")
    expect(form.get_by_label("聚合")).to_be_visible()
    expect(form.get_by_label("路径：第一跳")).to_contain_text("FOR_CUSTOMER ← Shipment（入）")
    expect(form.get_by_label("默认值")).to_be_disabled()
    screenshot(page, schema_served, "schema-computed-zh")
    assert watch.axe() == []


@pytest.mark.page_only
def test_a_new_types_rows_offer_a_formula_and_its_refusal_lands_on_its_row(
    watch: PageWatch, schema_served: Served
) -> None:
    watch.sign_in(Role.CONFIG_OFFICER)
    page = watch.page
    expect(page.locator("#schema-diagram")).to_have_attribute("data-drawn", "true")
    page.get_by_role("button", name="New entity type").click()
    page.locator("#type-name").fill("QuoteLine")
    page.get_by_role("button", name="Add a property row").click()
    rows = page.locator("fieldset.property-row")
    rows.nth(0).get_by_label("Property name").fill("qty")
    rows.nth(0).get_by_label("Kind").select_option("INT")
    rows.nth(1).get_by_label("Property name").fill("double")
    rows.nth(1).get_by_label("Kind").select_option("INT")
    choice = computed_choice(rows.nth(1))
    # a new type has no relation type yet: no rollup to offer
    expect(choice.locator("option")).to_have_text(["No (a stored property)", "Formula"])
    choice.select_option("formula")
    formula = rows.nth(1).get_by_label("Formula", exact=True)
    formula.fill("qty * name")
    page.get_by_role("button", name="Preview").click()
    expect(formula).to_have_attribute("aria-invalid", "true", timeout=SLOW)
    expect(formula).to_have_value("qty * name")
    expect(rows.nth(1).locator(".field-error").filter(has_text="name")).to_be_visible()
    screenshot(page, schema_served, "schema-new-type-formula-refused")
    expect(rows.nth(0).get_by_label("Property name")).not_to_have_attribute("aria-invalid", "true")
    formula.fill("qty * 2")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("section.preview")).to_contain_text("Nothing refused", timeout=SLOW)
    [*_, sent] = mutations_sent(watch, "previewDefinitions")
    row = sent["operations"][0]["defineEntityType"]["properties"][1]
    assert (row["computed"], row["required"], row["default"]) == ("qty * 2", False, None)
    assert watch.axe() == []
