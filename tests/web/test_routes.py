"""The console's routes over HTTP (httpx on the ASGI app): the pages and their files are
served without a key, compressed, with an ETag and the security headers; nothing outside
the static folder is; and /graphql's browser page is the offline GraphiQL."""

from __future__ import annotations

import gzip
import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
import pytest

from graph_crm.store.base import GraphStore
from graph_crm.web.assets import STATIC_DIR, Asset
from graph_crm.web.headers import CONTENT_SECURITY_POLICY, SECURITY_HEADERS
from tests.api.asgi import asgi_client

PAGES = ["/", "/graphiql"]


@pytest.fixture
async def browser(embedded_store: GraphStore) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(embedded_store, role=None) as client:
        yield client


class _Resources(HTMLParser):
    """What a page loads, and what it would run or style inline."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            if attributes.get("src"):
                self.loaded.append(str(attributes["src"]))
            else:
                self.inline.append("a <script> without src")
        if tag == "link" and attributes.get("href"):
            self.loaded.append(str(attributes["href"]))
        if tag == "style":
            self.inline.append("a <style> element")
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"a {name}= attribute on <{tag}>")


def _resources(html: str) -> _Resources:
    parser = _Resources()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("path", PAGES)
async def test_each_page_is_served_without_a_key_with_the_security_headers(
    browser: httpx.AsyncClient, path: str
) -> None:
    response = await browser.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp


@pytest.mark.parametrize("path", PAGES)
async def test_a_page_runs_no_inline_code_and_loads_only_this_servers_files(
    browser: httpx.AsyncClient, path: str
) -> None:
    page = _resources((await browser.get(path)).text)
    assert page.inline == []
    assert page.loaded
    for url in page.loaded:
        assert url.startswith("/static/"), url  # no CDN, no other origin
        loaded = await browser.get(url)
        assert loaded.status_code == 200, url
        assert loaded.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


async def test_the_browser_page_of_graphql_is_the_offline_graphiql(
    browser: httpx.AsyncClient,
) -> None:
    offline = await browser.get("/graphiql")
    page = await browser.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.text == offline.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert not re.search(r"https?://", page.text)


async def test_files_are_gzipped_for_clients_that_accept_it_and_plain_for_others(
    browser: httpx.AsyncClient,
) -> None:
    path = "/static/vendor/cytoscape/cytoscape.esm.min.mjs"
    original = (STATIC_DIR / "vendor/cytoscape/cytoscape.esm.min.mjs").read_bytes()
    zipped = await browser.get(path, headers={"accept-encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["content-type"] == "text/javascript; charset=utf-8"
    assert int(zipped.headers["content-length"]) < len(original) / 2
    assert zipped.content == original  # httpx decoded it
    plain = await browser.get(path, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == original
    refused = await browser.get(path, headers={"accept-encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


async def test_an_etag_revalidates_to_304_and_head_sends_no_body(
    browser: httpx.AsyncClient,
) -> None:
    first = await browser.get("/static/console/main.js")
    assert first.headers["cache-control"] == "no-cache"
    etag = first.headers["etag"]
    again = await browser.get("/static/console/main.js", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = await browser.get("/static/console/main.js", headers={"if-none-match": '"other"'})
    assert other.status_code == 200
    head = await browser.head("/")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["x-frame-options"] == "DENY"


async def test_fonts_are_sent_as_they_are(browser: httpx.AsyncClient) -> None:
    font = next((STATIC_DIR / "vendor/graphiql/fonts").glob("*.woff2"))
    response = await browser.get(f"/static/vendor/graphiql/fonts/{font.name}")
    assert response.headers["content-type"] == "font/woff2"
    assert "content-encoding" not in response.headers
    assert response.content == font.read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "/static/../assets.py",
        "/static/%2e%2e/assets.py",
        "/static/console/../../assets.py",
        "/static/..%2fassets.py",
        "/static/vendor/VENDOR.md",  # not a served kind of file
        "/static/vendor/react/LICENSE",
        "/static/.hidden.js",
        "/static/console/%00.js",
        "/static/console\\main.js",
        "/static/",
        "/static/console",
        "/static/nothing.js",
    ],
)
async def test_nothing_outside_the_static_files_is_served(
    browser: httpx.AsyncClient, path: str
) -> None:
    response = await browser.get(path)
    assert response.status_code == 404, path
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert "import" not in response.text


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
async def test_the_pages_take_only_get_and_head(browser: httpx.AsyncClient, method: str) -> None:
    response = await browser.request(method, "/")
    assert response.status_code == 405


def test_a_gzipped_answer_is_the_same_bytes_every_time() -> None:
    one = Asset.read(STATIC_DIR / "console.html")
    two = Asset.read(STATIC_DIR / "console.html")
    assert one.gzipped == two.gzipped
    assert one.gzipped is not None
    assert gzip.decompress(one.gzipped) == one.body
