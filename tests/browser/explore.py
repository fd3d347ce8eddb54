"""Driving the Explore page: its neighbourhood graph is a canvas, so a test finds a node
where Cytoscape.js drew it (the container keeps its instance as ``cy``) and clicks there,
as a user's mouse would."""

from __future__ import annotations

from typing import Final

from playwright.sync_api import Page, expect

GRAPH: Final = "#explore-graph"


def graph_nodes(page: Page) -> set[str]:
    """The ids of the entity nodes drawn ("more" nodes left out)."""
    found: list[str] = page.evaluate(
        f"""() => document.querySelector("{GRAPH}").cy
                    .nodes('[kind = "entity"]').map((n) => n.id())"""
    )
    return set(found)


def graph_in_view(page: Page) -> bool:
    """Whether every node shown lies inside the drawn viewport."""
    inside: bool = page.evaluate(
        f"""() => {{
              const cy = document.querySelector("{GRAPH}").cy;
              const box = cy.extent();
              return cy.nodes(":visible").every((n) => {{
                const p = n.position();
                return p.x >= box.x1 && p.x <= box.x2 && p.y >= box.y1 && p.y <= box.y2;
              }});
            }}"""
    )
    return inside


def wait_idle(page: Page) -> None:
    expect(page.locator(GRAPH)).to_have_attribute("data-busy", "false")


def click_node(page: Page, node_id: str) -> None:
    """Centres the node in view, clicks it where it is drawn, waits for its expansion."""
    position = page.evaluate(
        """async ([selector, id]) => {
             const cy = document.querySelector(selector).cy;
             const node = cy.getElementById(id);
             cy.zoom(1);
             cy.center(node);
             // on top of any node drawn near it, so the click is its own
             node.style("z-index", 9999);
             // drawn where it now is before the click
             await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
             return node.renderedPosition();
           }""",
        [GRAPH, node_id],
    )
    box = page.locator(GRAPH).bounding_box()
    assert box is not None
    graph = page.locator(GRAPH)
    graph.evaluate("(element) => { element.dataset.busy = 'clicked'; }")
    # a busy machine may drop a click that lands while Cytoscape.js still settles the
    # viewport: click again until the page takes it
    for _ in range(5):
        page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
        try:
            expect(graph).not_to_have_attribute("data-busy", "clicked", timeout=2_000)
            break
        except AssertionError:
            continue
    wait_idle(page)
    # a block, so the page returns nothing: returned, the Cytoscape.js element (which
    # reaches the whole graph) took Playwright ~10 s to serialize
    page.evaluate(
        """([selector, id]) => {
             document.querySelector(selector).cy.getElementById(id).removeStyle("z-index");
           }""",
        [GRAPH, node_id],
    )
    if not node_id.startswith("more|"):  # an entity's node is selected in the node list
        assert page.locator("#graph-node").input_value() == node_id


def open_explore(page: Page) -> None:
    page.get_by_role("link", name="Explore").click()
    expect(page.get_by_role("heading", name="Explore", exact=True)).to_be_focused()
