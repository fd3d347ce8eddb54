"""The Schema page's forms in a real browser, on both backends: a config officer defines
CustomsBroker (报关行) and CLEARS_FOR to Warehouse (preview, then apply), adds a property to
Warehouse with one patch call, is refused a drop of a property holding data, reads the
history, and meets a policy's refusals at their lines; the same main path by keyboard alone.

These flows change the schema, so this module starts a demo server of its own per backend
(`serve_demo`; for Neo4j on a throwaway Neo4j of its own, as tests/faults does): the shared
`served` demo stays as the other pages' tests expect it."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from graph_crm.auth.roles import Role
from tests.browser.conftest import screenshot
from tests.browser.console import PageWatch, tab_to
from tests.browser.served import Served, serve_demo
from tests.neo4j_env import Neo4jTarget, local_neo4j

#: How long a schema change may take to show: on Neo4j a unique property builds a constraint.
SLOW = 60_000
POLICY = '{ impactPolicy(name: "customs-delay") { revision description definition } }'
TYPE = """query($name: String!) { entityType(name: $name) {
  name label labelProperty properties { name label kind required unique } } }"""


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def schema_served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The demo and a key per role on a server (and for Neo4j a database) of this module's."""
    folder = tmp_path_factory.mktemp(f"schema-forms-{request.param}")
    if request.param == "embedded":
        with serve_demo(folder, None) as server:
            yield server
        return
    heap = os.environ.get("GRAPH_CRM_TEST_NEO4J_HEAP", "512m")
    with (
        local_neo4j(heap, "the schema forms' Neo4j server") as neo4j,
        serve_demo(folder, Neo4jTarget(uri=neo4j.uri)) as server,
    ):
        yield server


@pytest.fixture
def watch(chromium: Browser, schema_served: Served) -> Iterator[PageWatch]:
    """As tests/browser/conftest.py's `watch`, on this module's server."""
    context = chromium.new_context(
        base_url=schema_served.base, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    watched = PageWatch(context.new_page(), schema_served)
    yield watched
    try:
        watched.assert_clean()
    finally:
        context.close()


def api(served: Served, query: str, variables: dict[str, Any] | None = None) -> Any:
    answer = httpx.post(
        f"{served.base}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {served.tokens[Role.ADMIN]}"},
    ).json()
    assert "errors" not in answer, answer
    return answer["data"]


def properties(served: Served, name: str) -> list[str]:
    return [p["name"] for p in api(served, TYPE, {"name": name})["entityType"]["properties"]]


def mutations_sent(watch: PageWatch, field: str) -> list[dict[str, Any]]:
    """The variables of every request the page sent whose query calls `field`."""
    bodies = [json.loads(request.post_data or "{}") for request in watch.graphql_requests]
    return [body["variables"] for body in bodies if f"{field}(" in body["query"]]


def property_names(page: Page) -> list[str]:
    return page.locator("#property-table tbody th").all_inner_texts()


def test_a_config_officer_defines_types_patches_warehouse_and_meets_the_servers_refusals(
    watch: PageWatch, schema_served: Served
) -> None:
    served = schema_served
    watch.sign_in(Role.CONFIG_OFFICER)
    page = watch.page
    expect(page.locator("#schema-diagram")).to_have_attribute("data-drawn", "true")
    warehouse_before = properties(served, "Warehouse")

    # a new entity type: a bad API name is refused by the server, at its field
    page.get_by_role("button", name="New entity type").click()
    expect(page.get_by_role("heading", name="New entity type")).to_be_focused()
    page.locator("#type-name").fill("customs broker")
    page.locator("#type-label").fill("报关行")
    page.locator("#type-description").fill("A licensed customs broker")
    rows = page.locator("fieldset.property-row")
    rows.nth(0).get_by_label("Property name").fill("name")
    rows.nth(0).get_by_label("Required").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#type-name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#type-name")).to_be_focused()
    expect(page.locator("#type-name-error")).to_contain_text("PascalCase")
    expect(page.locator("#type-name-error")).to_have_attribute("role", "alert")
    screenshot(page, served, "schema-new-type-refused")
    assert watch.axe() == []
    # nothing was lost from the form; more rows, one removed again
    expect(page.locator("#type-label")).to_have_value("报关行")
    page.locator("#type-name").fill("CustomsBroker")
    for _ in range(3):
        page.get_by_role("button", name="Add a property row").click()
    rows.nth(1).get_by_label("Property name").fill("licence")
    rows.nth(1).get_by_label("Display label").fill("执照号")
    rows.nth(1).get_by_label("Required").check()
    rows.nth(1).get_by_label("Unique").check()
    rows.nth(2).get_by_label("Property name").fill("rating")
    rows.nth(2).get_by_label("Kind").select_option("INT")
    rows.nth(3).get_by_label("Property name").fill("tier")
    page.get_by_role("button", name="Remove property 4").click()
    expect(rows).to_have_count(3)
    page.locator("#type-label-property").select_option("name")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("section.preview")
    expect(preview).to_contain_text("type CustomsBroker {", timeout=SLOW)
    expect(preview).to_contain_text("licence: String!")
    expect(preview).to_contain_text("Nothing refused")
    assert "CustomsBroker" not in json.dumps(api(served, "{ entityTypes { name } }"))
    screenshot(page, served, "schema-new-type-preview")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#schema-notice")).to_contain_text("CustomsBroker is defined", timeout=SLOW)
    expect(page.locator("#schema-notice")).to_be_focused()
    expect(page.locator("#detail-title")).to_have_text("Entity type: 报关行 (CustomsBroker)")
    assert property_names(page) == ["name", "licence", "rating"]
    defined = api(served, TYPE, {"name": "CustomsBroker"})["entityType"]
    assert defined["label"] == "报关行"
    assert defined["labelProperty"] == "name"
    assert [(p["name"], p["kind"], p["required"], p["unique"]) for p in defined["properties"]] == [
        ("name", "STRING", True, False),
        ("licence", "STRING", True, True),
        ("rating", "INT", False, False),
    ]

    # a relation type from it to the demo's warehouses
    page.get_by_role("button", name="Types", exact=True).click()
    page.get_by_role("button", name="New relation type").click()
    page.locator("#type-name").fill("CLEARS_FOR")
    page.locator("#type-label").fill("清关")
    page.locator("#type-from").select_option("CustomsBroker")
    page.locator("#type-to").select_option("Warehouse")
    page.get_by_role("button", name="Add a property row").click()
    rows.nth(0).get_by_label("Property name").fill("since")
    rows.nth(0).get_by_label("Kind").select_option("DATE")
    page.get_by_role("button", name="Preview").click()
    expect(preview).to_contain_text("clearsFor")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#detail-title")).to_have_text(
        "Relation type: 清关 (CLEARS_FOR)", timeout=SLOW
    )
    expect(page.locator("dl.facts")).to_contain_text("CustomsBroker → Warehouse")

    # one property more on Warehouse: one addProperty call, the others not resent
    page.get_by_role("button", name="Back to all types").click()
    page.get_by_role("button", name="Warehouse", exact=True).click()
    expect(page.locator("#detail-title")).to_have_text("Entity type: Warehouse")
    expect(page.get_by_role("table", name="Relation types of Warehouse")).to_contain_text(
        "CLEARS_FOR"
    )
    page.get_by_role("button", name="Add a property").click()
    form = page.locator("#property-form")
    expect(form.get_by_label("Property name")).to_be_focused()
    form.get_by_label("Property name").fill("customsCode")
    form.get_by_label("Display label").fill("海关编码")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#schema-notice")).to_have_text("Property customsCode added.", timeout=SLOW)
    assert property_names(page) == [*warehouse_before, "customsCode"]
    assert properties(served, "Warehouse") == [*warehouse_before, "customsCode"]
    [sent] = mutations_sent(watch, "addProperty")
    assert sent["type"] == "Warehouse"
    assert sent["property"]["name"] == "customsCode"
    assert mutations_sent(watch, "alterEntityType") == []
    screenshot(page, served, "schema-detail")
    assert watch.axe() == []

    # change it: alterProperty, by its name
    page.get_by_role("button", name="Change property customsCode").click()
    form.get_by_label("Display label").fill("海关代码")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("#schema-notice")).to_have_text(
        "Property customsCode changed.", timeout=SLOW
    )
    expect(page.locator("#property-table")).to_contain_text("海关代码")

    # dropping a property that holds data: the server's refusal, nothing changed
    drop = page.get_by_role("button", name="Drop property city")
    drop.click()
    refusal = page.locator("#property-refusal")
    expect(refusal).to_have_attribute("role", "alert")
    expect(refusal).to_contain_text(
        "removing property 'city' would lose stored values", timeout=SLOW
    )
    expect(refusal).to_contain_text("INCOMPATIBLE_CHANGE")
    expect(drop).to_be_focused()
    assert "city" in properties(served, "Warehouse")
    screenshot(page, served, "schema-drop-refused")

    # the history, newest first, with the definition before and after
    page.get_by_role("button", name="History", exact=True).click()
    history = page.locator("#history-table")
    expect(history.locator("caption")).to_contain_text("newest first")
    first = history.locator("tbody tr").first
    expect(first).to_contain_text("ALTER_ENTITY_TYPE")
    expect(first).to_contain_text("Warehouse")
    expect(first).to_contain_text("Config Officer tester")
    toggle = first.get_by_role("button", name="Before/after")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#change-0")).to_contain_text("海关代码")
    screenshot(page, served, "schema-history")
    assert watch.axe() == []
    page.get_by_role("button", name="Older").click()
    expect(history.locator("caption")).to_contain_text("page 2 of")
    page.get_by_role("button", name="Newer").click()
    expect(history.locator("caption")).to_contain_text("page 1 of")

    # an impact policy's refusal, listed by path, pointing at its line
    page.get_by_role("button", name="Impact policies", exact=True).click()
    page.get_by_role("button", name="Edit policy customs-delay").click()
    area = page.locator("#policy-json")
    expect(area).to_have_value(re.compile('"urgency": 0.5'))
    area.fill(area.input_value().replace('"urgency": 0.5', '"urgency": "soon"'))
    page.locator("#save-policy").click()
    where = page.locator("#policy-refusals").get_by_role("button", name="scoring.weights.urgency")
    expect(where).to_be_focused(timeout=SLOW)
    expect(page.locator("#policy-refusals")).to_contain_text("valid number")
    expect(area).to_have_attribute("aria-invalid", "true")
    where.click()
    expect(area).to_be_focused()
    assert "urgency" in area.evaluate("a => a.value.slice(a.selectionStart, a.selectionEnd)")
    screenshot(page, served, "schema-policy-refused")
    assert watch.axe() == []
    assert api(served, POLICY)["impactPolicy"]["revision"] == 1
    # corrected in the JSON, its description changed in its field: altered, revision 2
    expect(page.locator("#policy-source")).to_have_value("Warehouse")
    area.fill(area.input_value().replace('"urgency": "soon"', '"urgency": 0.5'))
    page.locator("#policy-description").fill("Customs delays, by parent account")
    expect(area).to_have_value(re.compile('"description": "Customs delays, by parent account"'))
    page.locator("#save-policy").click()
    expect(page.locator("#schema-notice")).to_have_text("Policy customs-delay saved.")
    stored = api(served, POLICY)["impactPolicy"]
    assert (stored["revision"], stored["description"]) == (2, "Customs delays, by parent account")
    # dropped after a confirmation, then defined again from its JSON
    page.get_by_role("button", name="Edit policy customs-delay").click()
    page.get_by_role("button", name="Drop policy").click()
    page.get_by_role("button", name="Yes, drop customs-delay").click()
    expect(page.locator("#schema-notice")).to_have_text("Policy customs-delay dropped.")
    expect(page.get_by_text("No impact policy is defined.")).to_be_visible()
    page.get_by_role("button", name="New impact policy").click()
    definition = {k: v for k, v in stored["definition"].items() if k != "revision"}
    page.locator("#policy-json").fill(json.dumps(definition, ensure_ascii=False))
    page.get_by_role("button", name="Define policy").click()
    expect(page.locator("#schema-notice")).to_have_text("Policy customs-delay saved.")
    expect(page.locator("#policy-table")).to_contain_text("customs-delay")
    assert api(served, POLICY)["impactPolicy"]["revision"] == 1


@pytest.mark.page_only
def test_defining_and_dropping_a_type_works_by_keyboard_alone(
    watch: PageWatch, schema_served: Served
) -> None:
    page = watch.page
    watch.sign_in_by_keyboard(Role.CONFIG_OFFICER)
    expect(page.locator("#schema-diagram")).to_have_attribute("data-drawn", "true")
    tab_to(page, "#new-entity-type")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="New entity type")).to_be_focused()
    tab_to(page, "#type-name")
    page.keyboard.type("FreightForwarder")
    page.keyboard.press("Tab")
    page.keyboard.type("货运代理")
    tab_to(page, "fieldset.property-row input >> nth=0")
    page.keyboard.type("name")
    tab_to(page, "#preview-button")
    page.keyboard.press("Enter")
    expect(page.locator("#preview-title")).to_be_focused()
    expect(page.locator("section.preview")).to_contain_text("type FreightForwarder {")
    tab_to(page, "#apply-button")
    page.keyboard.press("Enter")
    expect(page.locator("#schema-notice")).to_be_focused(timeout=SLOW)
    expect(page.locator("#detail-title")).to_have_text("Entity type: 货运代理 (FreightForwarder)")
    # drop it again: the button, then the confirmation that names it
    tab_to(page, "#drop-type")
    page.keyboard.press("Enter")
    expect(page.locator("#drop-type-confirm")).to_be_focused()
    expect(page.locator("#drop-type-confirm")).to_have_text("Yes, drop FreightForwarder")
    page.keyboard.press("Enter")
    expect(page.locator("#schema-notice")).to_have_text(
        "FreightForwarder was dropped.", timeout=SLOW
    )
    expect(page.locator("#schema-notice")).to_be_focused()
    assert "FreightForwarder" not in json.dumps(api(schema_served, "{ entityTypes { name } }"))
