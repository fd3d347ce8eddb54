"""axe-core (the vendored copy, served to the page by the test) finds no serious or
critical violation on any page of the console or on GraphiQL, in English and Chinese."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from graph_crm.auth.roles import Role
from tests.browser.console import PageWatch

pytestmark = pytest.mark.page_only  # the page itself: the embedded store is enough


def test_the_sign_in_page_passes_axe(watch: PageWatch) -> None:
    watch.page.goto("/")
    expect(watch.page.get_by_label("API key")).to_be_visible()
    assert watch.axe() == []


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_schema_page_passes_axe(watch: PageWatch, language: str) -> None:
    watch.sign_in(Role.ADMIN)
    page = watch.page
    page.locator("#language").select_option(language)
    expect(page.locator("#schema-diagram")).to_have_attribute("data-drawn", "true")
    assert watch.axe() == []


def test_graphiql_passes_axe(watch: PageWatch) -> None:
    watch.sign_in(Role.ANALYST)
    page = watch.page
    page.goto("/graphiql")
    expect(page.locator(".graphiql-container")).to_be_visible()
    assert watch.axe() == []
