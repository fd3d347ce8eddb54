"""The Schema page in a real browser: the demo's 18 types (9 entity types, 9 relation
types) with the counts the API gives, and the diagram drawn with one box per entity type
and one arrow per relation type; on both backends."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from graph_crm.auth.roles import Role
from tests.browser.conftest import screenshot
from tests.browser.console import PageWatch
from tests.browser.served import Served

COUNTS = "{ typeCounts { entities { name count } relations { name count } } }"
#: The budget of JS and CSS the console may load, gzipped as served (issue 14).
CODE_BUDGET = 600_000
CODE_LOADED = """() => performance.getEntriesByType("resource")
  .filter((e) => /\\.(m?js|css)$/.test(new URL(e.name).pathname))
  .map((e) => [new URL(e.name).pathname, e.encodedBodySize, e.decodedBodySize])"""


def api_counts(served: Served) -> dict[str, dict[str, int]]:
    answer = httpx.post(
        f"{served.base}/graphql",
        json={"query": COUNTS},
        headers={"Authorization": f"Bearer {served.tokens[Role.ANALYST]}"},
    ).json()["data"]["typeCounts"]
    return {kind: {c["name"]: c["count"] for c in answer[kind]} for kind in answer}


def table_rows(watch: PageWatch, caption: str) -> dict[str, list[str]]:
    table = watch.page.locator("table", has=watch.page.locator("caption", has_text=caption))
    rows = table.locator("tbody tr")
    return {
        cells[0]: cells[1:]
        for cells in (row.locator("th, td").all_inner_texts() for row in rows.all())
    }


def test_the_schema_page_lists_every_type_with_its_count_and_draws_the_diagram(
    watch: PageWatch, served: Served
) -> None:
    watch.sign_in(Role.CONFIG_OFFICER)
    page = watch.page
    diagram = page.locator("#schema-diagram")
    expect(diagram).to_have_attribute("data-drawn", "true")
    counts = api_counts(served)
    entities = table_rows(watch, "Entity types")
    relations = table_rows(watch, "Relation types")
    assert len(entities) + len(relations) == 18
    assert {name: int(row[-1].replace(",", "")) for name, row in entities.items()} == counts[
        "entities"
    ]
    assert {name: int(row[-1].replace(",", "")) for name, row in relations.items()} == counts[
        "relations"
    ]
    assert relations["SHIPPED_VIA"][:2] == ["Shipment", "Warehouse"]
    assert min(counts["entities"].values()) > 0
    # one box per entity type, one labelled arrow per relation type, drawn on a canvas
    expect(diagram).to_have_attribute("data-nodes", "9")
    expect(diagram).to_have_attribute("data-edges", "9")
    assert diagram.locator("canvas").count() >= 1
    assert "9 entity types" in (diagram.get_attribute("aria-label") or "")
    box = diagram.bounding_box()
    assert box is not None
    assert box["height"] > 300
    screenshot(page, served, "schema")
    # what the console loaded to get here: its modules, stylesheet and Cytoscape.js,
    # compressed on the wire, within budget
    loaded = page.evaluate(CODE_LOADED)
    assert "/static/vendor/cytoscape/cytoscape.esm.min.mjs" in [path for path, _, _ in loaded]
    assert all(encoded < decoded for _, encoded, decoded in loaded), loaded
    assert sum(encoded for _, encoded, _ in loaded) < CODE_BUDGET


def test_show_the_graphql_opens_the_pages_query_in_graphiql(
    watch: PageWatch, served: Served
) -> None:
    watch.sign_in(Role.ADMIN)
    page = watch.page
    link = page.get_by_role("link", name="Show the GraphQL")
    href = link.get_attribute("href") or ""
    assert href.startswith("/graphiql#query=")
    link.click()
    expect(page.locator(".graphiql-query-editor")).to_contain_text("typeCounts")
