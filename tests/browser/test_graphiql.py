"""The offline GraphiQL in a real browser: it renders and runs a query with every request
that is not to the server aborted, sends the console's key, and keeps no header."""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import Route, expect

from graph_crm.auth.roles import Role
from tests.browser.conftest import screenshot
from tests.browser.console import PageWatch, storage
from tests.browser.served import Served

pytestmark = pytest.mark.page_only  # the page itself: the embedded store is enough


def only_the_server(route: Route) -> None:
    if urlsplit(route.request.url).hostname == "127.0.0.1":
        route.continue_()
    else:
        route.abort("internetdisconnected")


def test_graphiql_renders_offline_and_runs_a_query_with_the_signed_in_key(
    watch: PageWatch, served: Served
) -> None:
    page = watch.page
    page.context.route("**/*", only_the_server)
    watch.sign_in(Role.RISK)
    page.goto("/graphiql#query=" + quote("{ viewer { role } }"))
    editor = page.locator(".graphiql-query-editor")
    expect(editor).to_contain_text("viewer")
    page.get_by_role("button", name="Execute query").click()
    response = page.locator(".graphiql-response")
    expect(response).to_contain_text('"role": "risk"')
    screenshot(page, served, "graphiql")
    runs = [
        r
        for r in watch.graphql_requests
        if r.method == "POST" and "viewer" in (r.post_data or "")
        and "IntrospectionQuery" not in (r.post_data or "")
    ]  # fmt: skip
    assert runs, [r.post_data for r in watch.graphql_requests]
    token = served.tokens[Role.RISK]
    for request in watch.graphql_requests:
        assert request.headers["authorization"] == f"Bearer {token}"
    # the key is in the tab's session only: neither GraphiQL's storage nor a cookie has it
    kept = storage(page)
    assert token not in json.dumps(kept["local"])
    assert kept["session"] == {"graph-crm.key": token}
    assert page.context.cookies() == []


def test_graphiql_without_a_key_says_where_to_sign_in(watch: PageWatch, served: Served) -> None:
    watch.expected_statuses.add(401)  # its schema introspection is refused
    page = watch.page
    page.goto("/graphiql")
    notice = page.get_by_role("status")
    expect(notice).to_contain_text("Not signed in")
    expect(notice.get_by_role("link")).to_have_attribute("href", "/")
    expect(page.locator(".graphiql-container")).to_be_visible()


def test_the_graphql_browser_page_is_the_offline_graphiql(watch: PageWatch) -> None:
    page = watch.page
    page.context.route("**/*", only_the_server)
    watch.sign_in(Role.ANALYST)
    page.goto("/graphql")
    expect(page.locator(".graphiql-container")).to_be_visible()
