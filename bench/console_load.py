"""The console's first load on loopback, and the bytes of JS and CSS it loads.

A real `graph-crm serve` holds the demo (embedded store); the system Chromium, driven by
Playwright, opens the console with a key already in the tab's session (as after sign-in):

- *cold*: a new browser context each run (no HTTP cache);
- *warm*: a reload in the same context (files revalidated by ETag: 304s).

For each it reports, from the page's own clock (``performance.now()``, 0 = navigation
start), the medians of: DOMContentLoaded, the signed-in shell (name, role and navigation
shown: the viewer query answered) and the Schema page drawn (its query answered, the
Cytoscape.js diagram laid out). Then the JS and CSS each page loads, by file: bytes on the
wire (``encodedBodySize``: gzip as served) and decoded.

    .venv/bin/python -m bench.console_load              # 7 runs each
    .venv/bin/python -m bench.console_load --runs 3

Progress goes to stderr, the table to stdout, the JSON to ``--out`` (default
``bench/results/console_load.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from graph_crm import __version__
from graph_crm.auth.roles import Role
from tests.browser.served import Served, serve_demo

Row = dict[str, Any]
MILESTONES = {
    "domcontentloaded_ms": "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd",
}
# functions, not expressions: Playwright evaluates an expression with eval, which the
# console's CSP refuses
SHELL = "() => !!document.querySelector('#nav-list a')"
DRAWN = "() => !!document.querySelector('#schema-diagram[data-drawn]')"
RESOURCES = """performance.getEntriesByType('resource').map(e => ({
  url: new URL(e.name).pathname, encoded: e.encodedBodySize, decoded: e.decodedBodySize,
  kind: e.initiatorType }))"""


def _timings(page: Page) -> Row:
    page.wait_for_function(SHELL)
    shell = page.evaluate("performance.now()")
    page.wait_for_function(DRAWN)
    drawn = page.evaluate("performance.now()")
    row: Row = {name: page.evaluate(expr) for name, expr in MILESTONES.items()}
    return row | {"signed_in_shell_ms": shell, "schema_drawn_ms": drawn}


def _with_key(browser: Browser, served: Served) -> tuple[Any, Page]:
    context = browser.new_context(base_url=served.base, viewport={"width": 1280, "height": 900})
    token = json.dumps(served.tokens[Role.ADMIN])
    # as after sign-in: the key in this tab's session (an init script, before any page code)
    context.add_init_script(f"sessionStorage.setItem('graph-crm.key', {token})")
    return context, context.new_page()


def measure_loads(browser: Browser, served: Served, runs: int) -> dict[str, list[Row]]:
    cold: list[Row] = []
    for _ in range(runs):
        context, page = _with_key(browser, served)
        page.goto("/")
        cold.append(_timings(page))
        context.close()
    warm: list[Row] = []
    context, page = _with_key(browser, served)
    page.goto("/")
    _timings(page)
    for _ in range(runs):
        page.reload()
        warm.append(_timings(page))
    context.close()
    return {"cold": cold, "warm": warm}


def _is_code(path: str) -> bool:
    return path.endswith((".js", ".mjs", ".css"))


def measure_bytes(browser: Browser, served: Served) -> dict[str, list[Row]]:
    """The JS and CSS of the console (its Schema page drawn) and of GraphiQL, cold."""
    loaded: dict[str, list[Row]] = {}
    for name, path, ready in (("console", "/", DRAWN), ("graphiql", "/graphiql", None)):
        context, page = _with_key(browser, served)
        page.goto(path)
        if ready:
            page.wait_for_function(ready)
        else:
            page.locator(".graphiql-container").wait_for()
            page.wait_for_load_state("networkidle")
        entries: list[Row] = page.evaluate(RESOURCES)
        loaded[name] = sorted(
            (e for e in entries if _is_code(e["url"])), key=lambda e: -int(e["encoded"])
        )
        context.close()
    return loaded


def _median(rows: list[Row], key: str) -> float:
    return round(float(statistics.median(float(row[key]) for row in rows)), 1)


def render(report: Row) -> str:
    loads = report["loads"]
    lines = ["| load (median ms from navigation start) | cold | warm |", "|---|---|---|"]
    for key, label in (
        ("domcontentloaded_ms", "DOMContentLoaded"),
        ("signed_in_shell_ms", "signed-in shell (viewer answered, nav shown)"),
        ("schema_drawn_ms", "Schema page drawn (counts + diagram)"),
    ):
        lines.append(f"| {label} | {_median(loads['cold'], key)} | {_median(loads['warm'], key)} |")
    for page, files in report["bytes"].items():
        encoded = sum(f["encoded"] for f in files)
        decoded = sum(f["decoded"] for f in files)
        lines += ["", f"| {page}: JS + CSS file | on the wire (gzip) | decoded |", "|---|---|---|"]
        lines += [f"| {f['url']} | {f['encoded']:,} | {f['decoded']:,} |" for f in files]
        lines.append(f"| **total** | **{encoded:,}** | **{decoded:,}** |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("bench/results/console_load.json"))
    args = parser.parse_args(argv)
    executable = shutil.which("chromium")
    if executable is None:
        print("chromium is missing (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder, serve_demo(Path(folder), None) as served:
        print(f"serving the demo at {served.base}", file=sys.stderr)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=executable)
            report: Row = {
                "version": __version__,
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "chromium": browser.version,
                "runs": args.runs,
                "loads": measure_loads(browser, served, args.runs),
                "bytes": measure_bytes(browser, served),
            }
            browser.close()
    print(render(report))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
