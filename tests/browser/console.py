"""Driving the console in a browser: sign-in, what a page recorded, and axe-core."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Request, Route, expect

from graph_crm.auth.roles import Role
from tests.browser.served import Served

AXE: Final = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
#: Where the tests serve axe-core from (this origin, so the page's CSP lets it run):
#: answered by the browser from the vendored copy, never by graph-crm.
AXE_PATH: Final = "/__tests__/axe.min.js"
#: Records CSP violations from the page's first instant (an init script runs outside the
#: page's CSP, as the browser's own code).
RECORD_VIOLATIONS: Final = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
});
"""


class PageWatch:
    """A page, and what went wrong on it: CSP violations, script errors, foreign requests."""

    def __init__(self, page: Page, served: Served) -> None:
        self.page = page
        self.served = served
        self.problems: list[str] = []
        #: HTTP statuses a test expects the browser to log as failed loads (a bad key: 401)
        self.expected_statuses: set[int] = set()
        self.graphql_requests: list[Request] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("request", self._request)

    def _console(self, message: ConsoleMessage) -> None:
        expected = any(
            f"responded with a status of {status}" in message.text
            for status in self.expected_statuses
        )
        if "Content Security Policy" in message.text or (message.type == "error" and not expected):
            self.problems.append(f"console {message.type}: {message.text}")

    def _request(self, request: Request) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:")):
            return
        if host != "127.0.0.1":
            self.problems.append(f"a request left the server: {request.url}")
        if urlsplit(request.url).path == "/graphql":
            self.graphql_requests.append(request)

    def csp_violations(self) -> list[str]:
        found: list[str] = self.page.evaluate("window.__cspViolations || []")
        return found

    def assert_clean(self) -> None:
        assert self.problems == []
        assert self.csp_violations() == []

    def sign_in(self, role: Role) -> None:
        """Sign in on the console with the key of ``role``, by mouse-free form filling."""
        page = self.page
        page.goto("/")
        page.get_by_label("API key").fill(self.served.tokens[role])
        page.get_by_role("button", name="Sign in").click()
        page.locator("#who-name").wait_for(state="visible")
        # signed in when the first page has rendered: the console then focuses its title
        # (a test that moves on earlier races that render, as a hurried user would)
        expect(page.locator("#page-title")).to_be_focused(timeout=20_000)

    def sign_in_by_keyboard(self, role: Role) -> None:
        """Sign in with the key of ``role`` typed where the focus is, then Enter."""
        self.page.goto("/")
        self.page.keyboard.type(self.served.tokens[role])
        self.page.keyboard.press("Enter")

    def axe(self) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page as it is now."""
        page = self.page
        page.route(
            f"**{AXE_PATH}",
            lambda route: _fulfil_axe(route),
        )
        page.add_script_tag(url=AXE_PATH)
        result: dict[str, Any] = page.evaluate(
            """async () => axe.run(document, {
                 runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                  "best-practice"] } })"""
        )
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]  # fmt: skip


def _fulfil_axe(route: Route) -> None:
    route.fulfill(
        status=200,
        content_type="text/javascript; charset=utf-8",
        body=AXE.read_bytes(),
    )


def storage(page: Page) -> dict[str, dict[str, str]]:
    """Everything the page's origin keeps in localStorage and sessionStorage."""
    found: dict[str, dict[str, str]] = json.loads(
        page.evaluate(
            """JSON.stringify({
                 local: Object.fromEntries(Object.entries(localStorage)),
                 session: Object.fromEntries(Object.entries(sessionStorage)) })"""
        )
    )
    return found


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focus is on ``selector`` (keyboard only)."""
    target = page.locator(selector)
    for _ in range(limit):
        if target.evaluate("(element) => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")
