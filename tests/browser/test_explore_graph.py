"""The Explore page's neighbourhood graph past 500 nodes, on both backends: a warehouse's
shipments come 100 per expansion, with a "more" node for the rest; the relation-type
checkboxes hide and show what they name; a click on a node stays quick (the page records
how long its handler and each expansion's drawing took; the figures are printed, never
asserted: timings belong in bench/). Reads only: the shared demo (`served`)."""

from __future__ import annotations

from playwright.sync_api import expect

from graph_crm.auth.roles import Role
from tests.browser.conftest import screenshot
from tests.browser.console import PageWatch
from tests.browser.explore import GRAPH, click_node, graph_nodes, wait_idle
from tests.browser.served import Served

WAREHOUSE = "Warehouse:RTM-02"  # 1,275 shipments in the demo
VISIBLE = f"""() => document.querySelector("{GRAPH}").cy.nodes()
  .filter((node) => node.style("display") !== "none").length"""


def test_the_graph_holds_over_500_nodes_and_filters_by_relation_type(
    watch: PageWatch, served: Served
) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    page.goto(f"/#/explore?view=graph&id={WAREHOUSE}")
    graph = page.locator(GRAPH)
    expect(graph).to_have_attribute("data-drawn", "true")
    assert len(graph_nodes(page)) == 51  # the warehouse and a first page of 50
    more = f"more|{WAREHOUSE}|SHIPPED_VIA|IN"
    assert page.evaluate(f"""() => document.querySelector("{GRAPH}").cy.getElementById("{more}")
                              .data("label")""") == "+1,225 more SHIPPED_VIA"  # fmt: skip
    page.get_by_label("Per relation and expansion").select_option("100")
    # Expand on a node whose relations were all asked once brings each one's next page
    page.get_by_label("Node", exact=True).select_option(WAREHOUSE)
    page.get_by_role("button", name="Expand").click()
    page.wait_for_function(
        f"""() => document.querySelector("{GRAPH}").cy.nodes('[kind = "entity"]').length > 51"""
    )
    wait_idle(page)
    assert len(graph_nodes(page)) == 151
    while len(graph_nodes(page)) <= 500:
        page.get_by_role("button", name="Expand").click()
        wait_idle(page)
    assert len(graph_nodes(page)) == 551
    # a click on one shipment among 551 nodes: selected and expanded to its customer
    shipment = sorted(node for node in graph_nodes(page) if node.startswith("Shipment:"))[-1]
    click_node(page, shipment)
    assert any(node.startswith("Customer:") for node in graph_nodes(page))
    print(  # the figure the report quotes
        f"\n{served.backend}: {len(graph_nodes(page))} nodes; tap handled in "
        f"{graph.get_attribute('data-tap-ms')} ms, next frame after "
        f"{graph.get_attribute('data-frame-ms')} ms; expansion added in "
        f"{graph.get_attribute('data-render-ms')} ms"
    )
    screenshot(page, served, "explore-graph-500")
    # relation types: unticking SHIPPED_VIA hides every shipment, ticking shows them again
    shown = page.evaluate(VISIBLE)
    page.get_by_role("checkbox", name="SHIPPED_VIA").uncheck()
    assert page.evaluate(VISIBLE) < 10
    page.get_by_role("checkbox", name="SHIPPED_VIA").check()
    assert page.evaluate(VISIBLE) == shown
