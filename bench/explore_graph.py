"""The Explore page's neighbourhood graph past 500 nodes: how long a click takes.

A real `graph-crm serve` holds the demo (embedded store); the system Chromium, driven by
Playwright, opens the graph of warehouse RTM-02 (1,275 shipments), expands it 100 per
request until more than 500 nodes are drawn, then clicks shipments one after another
where they are drawn. From the page's own clock it reports the medians and maxima of:
the click handler (selection, and the expansion asked), the next frame drawn after the
click, and the adding and placing of each expansion's nodes (the request left out).

    .venv/bin/python -m bench.explore_graph             # 15 clicks
    .venv/bin/python -m bench.explore_graph --clicks 5

The table goes to stdout, the JSON to ``--out`` (default
``bench/results/explore_graph.json``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from graph_crm.auth.roles import Role
from tests.browser.explore import GRAPH, click_node, graph_nodes, wait_idle
from tests.browser.served import serve_demo

WAREHOUSE = "Warehouse:RTM-02"


def measure(base: str, token: str, clicks: int) -> dict[str, Any]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "chromium is missing"
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        page = browser.new_page(base_url=base, viewport={"width": 1280, "height": 900})
        page.goto("/")
        page.get_by_label("API key").fill(token)
        page.get_by_role("button", name="Sign in").click()
        page.locator("#who-name").wait_for(state="visible")
        page.goto(f"/#/explore?view=graph&id={WAREHOUSE}")
        page.locator(f"{GRAPH}[data-drawn='true']").wait_for()
        page.get_by_label("Per relation and expansion").select_option("100")
        while len(graph_nodes(page)) <= 500:
            page.get_by_role("button", name="Expand").click()
            wait_idle(page)
        rows = []
        shipments = sorted(node for node in graph_nodes(page) if node.startswith("Shipment:"))
        for shipment in shipments[:clicks]:
            click_node(page, shipment)
            page.wait_for_function(f"document.querySelector('{GRAPH}').dataset.frameMs")
            rows.append({name: float(page.locator(GRAPH).get_attribute(f"data-{name}") or 0)
                         for name in ("tap-ms", "frame-ms", "render-ms")})  # fmt: skip
            page.locator(GRAPH).evaluate("(element) => { delete element.dataset.frameMs; }")
        nodes = len(graph_nodes(page))
        browser.close()
    return {"nodes": nodes, "clicks": rows}


def render(report: dict[str, Any]) -> str:
    lines = [f"Explore graph, {report['nodes']} nodes at the end, {len(report['clicks'])} clicks",
             f"{'what':<44}{'median ms':>10}{'max ms':>10}"]  # fmt: skip
    for name, what in (
        ("tap-ms", "click handler"),
        ("frame-ms", "click to the next frame drawn"),
        ("render-ms", "an expansion's nodes added and placed"),
    ):
        values = [row[name] for row in report["clicks"]]
        lines.append(f"{what:<44}{statistics.median(values):>10.1f}{max(values):>10.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=15)
    parser.add_argument("--out", type=Path, default=Path("bench/results/explore_graph.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder, serve_demo(Path(folder), None) as served:
        report = measure(served.base, served.tokens[Role.ANALYST], args.clicks)
    print(render(report))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
