"""Browser fixtures: the system Chromium driven by Playwright (no `playwright install`),
a real `graph-crm serve` with the demo on each backend, and a page that records every
Content-Security-Policy violation, script error and request that left the server.

Screenshots go to build/screenshots/ (git ignores build/; CI may keep them).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.browser.console import PageWatch
from tests.browser.served import Served, serve_demo
from tests.neo4j_env import Neo4jTarget, reset_database

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "build" / "screenshots"
#: Playwright's error when Chromium's renderer process dies under the page (seen once, on
#: a machine at load 8): the browser failed, not a check. Such a test runs once more
#: (pytest-rerunfailures); an assertion or a timeout never does.
RENDERER_CRASHED = "Target crashed"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test here is marked ``browser``: run by `scripts/test --all` (CI) after the
    fault and load tests, on one process, or alone by `scripts/test -m browser`.

    A renderer crash reruns the test once (``RENDERER_CRASHED``). A test marked
    ``page_only`` checks what the page itself does (axe, the language,
    keyboard paths, refusals drawn at their field), which no backend changes: it runs on
    the embedded store only. The flows, and everything that reads or writes through the
    API, run on both backends (the API's own tests run on both too)."""
    here = Path(__file__).resolve().parent
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        if here in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=[RENDERER_CRASHED]))
            callspec = getattr(item, "callspec", None)
            backend = callspec.params.get("served") if callspec else None
            if backend == "neo4j" and item.get_closest_marker("page_only"):
                dropped.append(item)
                continue
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


# Package scope, not session: while Playwright's sync API is open, its event loop counts as
# running in this thread, which breaks every asyncio test after it; closed when the run
# leaves tests/browser, it leaves the thread as it found it.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
        if ci:
            pytest.fail("chromium is missing: scripts/test installs it (Debian package)")
        pytest.skip("chromium is missing: scripts/test installs it (Debian package)")
    browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
    yield browser
    browser.close()


# package scope: the demo is loaded once per backend for all of tests/browser; pytest tears
# it down before a test of another package runs (which may empty the Neo4j database)
@pytest.fixture(
    scope="package", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)]
)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """`graph-crm serve` with the demo and a key per role, on each backend."""
    target: Neo4jTarget | None = None
    if request.param == "neo4j":
        target = request.getfixturevalue("neo4j_target")
        # in a thread of its own: Playwright's sync API keeps an event loop running here
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, reset_database(target)).result()
    folder = tmp_path_factory.mktemp(f"browser-{request.param}")
    with serve_demo(folder, target) as server:
        yield server


@pytest.fixture
def watch(chromium: Browser, served: Served) -> Iterator[PageWatch]:
    """A fresh browser context (empty storage) on the server, watched; at the end, no
    CSP violation, no script error and no request to anything but the server."""
    context = chromium.new_context(
        base_url=served.base, viewport={"width": 1280, "height": 900}, locale="en-US"
    )
    page = context.new_page()
    crashed: list[Page] = []
    page.on("crash", lambda crashed_page: crashed.append(crashed_page))
    watched = PageWatch(page, served)
    yield watched
    try:
        if not crashed:  # a crashed page answers nothing: the test failed already
            watched.assert_clean()
    finally:
        context.close()


@pytest.fixture
def page(watch: PageWatch) -> Page:
    return watch.page


def screenshot(page: Page, served: Served, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{served.backend}-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
