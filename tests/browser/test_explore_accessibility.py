"""axe-core on every state of the Explore page (list, record, graph, path builder with its
results, a refusal), in English and Chinese, and the language switch on the page itself.
Reads only: the shared demo (`served`)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from graph_crm.auth.roles import Role
from tests.browser.console import PageWatch

pytestmark = pytest.mark.page_only  # the page itself: the embedded store is enough

ACME = "Customer:SH-ACME"
PATH = (
    '{"start":{"id":"Customer:SH-ACME"},"steps":[{"move":"HAS_SUBSIDIARY|OUT","rows":{}},'
    '{"move":"EMPLOYS|OUT","rows":{"name":{"op":"contains","a":"a"}}}]}'
)
STATES = {
    "list": (
        "/#/explore?type=Customer&where=%7B%22tier%22%3A%7B%22eq%22%3A%22KEY%22%7D%7D",
        "#results",
    ),
    "record": (f"/#/explore?view=record&id={ACME}", "#relation-0"),
    "graph": (f"/#/explore?view=graph&id={ACME}", "#explore-graph[data-drawn='true']"),
    "path": (f"/#/explore?view=path&from={ACME}&run=1&p={PATH}", "#path-results"),
}


def open_state(page: Page, state: str) -> None:
    url, ready = STATES[state]
    page.goto(url)
    expect(page.locator(ready)).to_be_visible()


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("state", list(STATES))
def test_every_state_of_the_explore_page_passes_axe(
    watch: PageWatch, state: str, language: str
) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    page.locator("#language").select_option(language)
    open_state(page, state)
    assert watch.axe() == []


def test_the_explore_page_speaks_chinese(watch: PageWatch) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    open_state(page, "record")
    expect(page.get_by_role("link", name="Open the graph")).to_be_visible()
    page.locator("#language").select_option("zh")
    expect(page.get_by_role("link", name="打开关系图")).to_be_visible()
    expect(page.get_by_role("table", name="按类型和方向统计的关系")).to_be_visible()
    open_state(page, "list")
    expect(page.locator("#results-caption")).to_contain_text("共")
    expect(page.get_by_role("button", name="应用筛选")).to_be_visible()
