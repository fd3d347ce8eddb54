"""The Explore page's Flow 2 in a real browser, on both backends: an analyst filters the
customers, opens one, and expands its graph out to the competitors its subsidiaries' buyers
mentioned; by mouse and by keyboard alone; and the brief's path, built step by step. The
page only reads, so the shared demo (`served`) is used as it is."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import expect

from graph_crm.auth.roles import Role
from tests.browser.conftest import screenshot
from tests.browser.console import PageWatch
from tests.browser.explore import (
    click_node,
    graph_in_view,
    graph_nodes,
    open_explore,
    wait_idle,
)
from tests.browser.served import Served

ACME = "Customer:SH-ACME"
#: the demo's data is as of this moment; "the last 90 days" are counted back from it
DEMO_NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def fragment_state(url: str) -> dict[str, str]:
    query = urlsplit(url).fragment.split("?", 1)[1]
    return {name: values[0] for name, values in parse_qs(query).items()}


def test_an_analyst_filters_customers_opens_one_and_expands_its_graph_to_competitors(
    watch: PageWatch, served: Served
) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    open_explore(page)
    page.get_by_label("Type", exact=True).select_option("Customer")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#results-caption")).to_contain_text("Customer: 423 matching")
    page.get_by_label("name: condition").select_option("contains")
    page.get_by_label("name: value").fill("阿克米")
    page.get_by_label("tier: condition").select_option("in")
    page.get_by_label("tier: value").select_option(["STRATEGIC", "KEY"])
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#results-caption")).to_contain_text("Customer: 1 matching")
    expect(page.locator("#results")).to_be_focused()
    # the view is in the URL, and survives a reload (a bookmark); never the key
    state = fragment_state(page.url)
    assert state["type"] == "Customer"
    assert json.loads(state["where"]) == {
        "name": {"contains": "阿克米"}, "tier": {"in": ["STRATEGIC", "KEY"]}}  # fmt: skip
    assert "gcrm_" not in unquote(page.url)
    page.reload()
    expect(page.locator("#results-caption")).to_contain_text("Customer: 1 matching")
    expect(page.get_by_label("name: value")).to_have_value("阿克米")
    screenshot(page, served, "explore-list")
    page.get_by_role("link", name="SH-ACME").click()
    expect(page.locator("#page-title")).to_have_text("Customer: 上海阿克米贸易有限公司")
    subsidiaries = page.locator("section", has=page.get_by_role("heading", name="HAS_SUBSIDIARY"))
    expect(subsidiaries.get_by_role("link", name="ACME Europe B.V.")).to_be_visible()
    screenshot(page, served, "explore-record")
    page.get_by_role("link", name="Open the graph").click()
    expect(page.locator("#explore-graph")).to_have_attribute("data-drawn", "true")
    assert {"Subsidiary:ACME-NL", "Subsidiary:ACME-SG"} <= graph_nodes(page)
    for node in ("Subsidiary:ACME-NL", "Buyer:B-VISSER", "ChatLog:CHAT-003"):
        click_node(page, node)
    assert {"Buyer:B-VISSER", "ChatLog:CHAT-003", "Competitor:GLOBEX"} <= graph_nodes(page)
    expect(page.locator("#graph-status")).to_contain_text("nodes")
    # the clicks zoomed in on each node; laid out again, the whole neighbourhood is in view
    page.get_by_role("button", name="Lay out again").click()
    assert graph_in_view(page)
    screenshot(page, served, "explore-graph")


@pytest.mark.page_only
def test_the_same_flow_works_by_keyboard_alone(watch: PageWatch, served: Served) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    keyboard = page.keyboard
    page.locator("#nav-explore").focus()
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Explore", exact=True)).to_be_focused()
    while page.evaluate("document.activeElement.id") != "explore-type":
        keyboard.press("Tab")
    keyboard.press("Home")
    for _ in range(20):
        if page.locator("#explore-type").input_value() == "Customer":
            break
        keyboard.press("ArrowDown")
    keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show")).to_be_focused()
    keyboard.press("Enter")
    expect(page.locator("#results-caption")).to_contain_text("Customer: 423 matching")
    expect(page.locator("#explore-type")).to_be_focused()
    while page.evaluate("document.activeElement.id") != "filter-key-op":
        keyboard.press("Tab")
    keyboard.press("ArrowDown")  # equals
    keyboard.press("Tab")
    keyboard.type("SH-ACME")
    keyboard.press("Enter")
    expect(page.locator("#results-caption")).to_contain_text("Customer: 1 matching")
    expect(page.locator("#results")).to_be_focused()
    keyboard.press("Tab")  # the first sort button, then the record's link
    while page.evaluate("document.activeElement.textContent") != "SH-ACME":
        keyboard.press("Tab")
    keyboard.press("Enter")
    expect(page.locator("#page-title")).to_be_focused()
    expect(page.locator("#page-title")).to_have_text("Customer: 上海阿克米贸易有限公司")
    while page.evaluate("document.activeElement.id") != "open-graph":
        keyboard.press("Tab")
    keyboard.press("Enter")
    expect(page.locator("#explore-graph")).to_have_attribute("data-drawn", "true")
    # the node list and its Expand button are the graph's keyboard way in
    for node in ("Subsidiary:ACME-NL", "Buyer:B-VISSER", "ChatLog:CHAT-003"):
        page.locator("#graph-node").focus()
        while page.locator("#graph-node").input_value() != node:
            keyboard.press("ArrowDown")
        keyboard.press("Tab")
        expect(page.locator("#graph-expand")).to_be_focused()
        keyboard.press("Enter")
        wait_idle(page)
    assert "Competitor:GLOBEX" in graph_nodes(page)


def test_the_path_builder_expresses_the_briefs_competitor_question(
    watch: PageWatch, served: Served
) -> None:
    """Competitors mentioned in the last 90 days in chats of buyers at subsidiaries of
    customer SH-ACME, counted back from the demo's date."""
    page = watch.page
    page.clock.set_fixed_time(DEMO_NOW)
    watch.sign_in(Role.ANALYST)
    page.goto(f"/#/explore?view=record&id={ACME}")
    page.get_by_role("link", name="Build a path from here").click()
    expect(page.get_by_label("Start from")).to_have_value("record")
    for index, move in enumerate(
        ["HAS_SUBSIDIARY|OUT", "EMPLOYS|OUT", "WROTE|OUT", "MENTIONS|OUT"]
    ):
        page.get_by_role("button", name="Add a step").click()
        expect(page.locator(f"#step{index}-move")).to_be_focused()
        page.locator(f"#step{index}-move").select_option(move)
    page.locator(".explore-steps > li").nth(2).locator("summary").click()
    page.get_by_label("at: condition").select_option("lastDays")
    page.get_by_label("at: value").fill("90")
    page.get_by_role("button", name="Run").click()
    results = page.locator("#path-results")
    expect(results).to_be_focused(timeout=20_000)  # a cold traverse on a busy Neo4j
    expect(results.locator("caption")).to_have_text("2 reached, with their paths")
    expect(results.get_by_role("link", name="Globex Freight")).to_be_visible()
    expect(results.get_by_role("link", name="Initech Logistics")).to_be_visible()
    expect(results).to_contain_text("ChatLog:CHAT-003")
    # the path is in the URL with its relative window, and opens in GraphiQL as run
    state = json.loads(fragment_state(page.url)["p"])
    assert state["steps"][2]["rows"]["at"] == {"op": "lastDays", "a": "90", "b": ""}
    href = page.locator("#explore-graphql").get_attribute("href") or ""
    variables = json.loads(parse_qs(urlsplit(href).fragment)["variables"][0])
    assert variables["from"] == [ACME]
    assert variables["steps"][2]["where"] == {"at": {"gte": "2026-08-25T00:00:00Z"}}
    assert "traverse(" in parse_qs(urlsplit(href).fragment)["query"][0]
    screenshot(page, served, "explore-path")


@pytest.mark.page_only
def test_a_refused_filter_is_shown_at_its_field_and_the_form_keeps_its_values(
    watch: PageWatch,
) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    page.goto("/#/explore?type=Shipment")
    page.get_by_label("value: condition").select_option("gte")
    page.get_by_label("value: value").fill("lots")
    page.get_by_label("status: condition").select_option("eq")
    page.get_by_label("status: value").select_option("IN_TRANSIT")
    page.get_by_role("button", name="Apply filters").click()
    error = page.locator("#filter-value-error")
    expect(error).to_have_attribute("role", "alert")
    expect(error).to_contain_text("value")
    field = page.get_by_label("value: value")
    expect(field).to_be_focused()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("lots")
    expect(page.get_by_label("status: value")).to_have_value("IN_TRANSIT")
    assert watch.axe() == []


def test_sorting_paging_and_the_list_query_in_graphiql(watch: PageWatch) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    page.goto("/#/explore?type=Customer&size=10")
    page.locator("#sort-name").click()
    page.locator("#sort-name").click()
    expect(page.locator("#results thead th[aria-sort]")).to_have_attribute(
        "aria-sort", "descending"
    )
    first_page = page.locator("#results tbody tr").all_inner_texts()
    assert len(first_page) == 10
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("Page 2")).to_be_visible()
    assert page.locator("#results tbody tr").all_inner_texts() != first_page
    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_text("Page 1")).to_be_visible()
    assert page.locator("#results tbody tr").all_inner_texts() == first_page
    link = page.get_by_role("link", name="Show the GraphQL")
    variables = json.loads(
        parse_qs(urlsplit(link.get_attribute("href") or "").fragment)["variables"][0]
    )
    assert variables["orderBy"] == [{"field": "name", "direction": "DESC"}]
    assert (variables["type"], variables["first"], variables["after"]) == ("Customer", 10, None)
    link.click()
    expect(page.locator(".graphiql-query-editor")).to_contain_text("entities(")


@pytest.mark.page_only
def test_hostile_urls_are_shown_as_text_and_refused_by_the_server(watch: PageWatch) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    hostile = 'Customer:"><img src=x onerror=alert(1)>'
    page.goto(f"/#/explore?view=record&id={hostile}")
    expect(page.get_by_role("alert")).to_contain_text(hostile)
    assert page.locator("main img").count() == 0
    # a type the registry lacks, a where that is not JSON, a relation name with Cypher in it
    page.goto("/#/explore?type=Customer%60)%20DETACH%20DELETE%20n&where={oops&sort=name:desc")
    expect(page.locator("#results-caption")).to_contain_text("Buyer: 211 matching")
    page.goto(
        "/#/explore?view=path&from=Customer:SH-ACME&run=1&p="
        '{"start":{"id":"Customer:SH-ACME"},"steps":[{"move":"X`]-(m) DETACH DELETE m//|OUT"}]}'
    )
    expect(page.get_by_role("alert")).to_contain_text("UNKNOWN_TYPE")
    page.goto("/#/explore?type=Customer")
    expect(page.locator("#results-caption")).to_contain_text("Customer: 423 matching")
