"""The propagation picture (html_paths, laid out by path_layout), checked as geometry read
back from the SVG it emits: each hop is one line, from the edge of one of its boxes to the
edge of the other, and no line ever crosses the inside of a box, its own or another's
(the picture used to draw shipments' lines under the subsidiary boxes they skip)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from graph_crm.impact.render.html_paths import path_picture
from tests.impact.made_reports import SOURCE, ranked, report_of

Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x, y, width, height
_EDGE = 0.11  # coordinates are printed to 0.1 px


def _read(svg: str) -> tuple[dict[str, Box], list[tuple[str, str, list[Point]]]]:
    root = ET.fromstring(svg)
    boxes = {}
    for node in root.iter("g"):
        rect = node.find("rect")
        assert rect is not None
        boxes[node.attrib["data-id"]] = tuple(
            float(rect.attrib[k]) for k in ("x", "y", "width", "height")
        )
    lines = [
        (path.attrib["data-from"], path.attrib["data-to"], _points(path.attrib["d"]))
        for path in root.iter("path")
    ]
    return boxes, lines  # type: ignore[return-value]


def _points(d: str) -> list[Point]:
    """The path's points, each cubic Bézier flattened to 32 straight pieces."""
    tokens = re.findall(r"[MLC]|-?\d+(?:\.\d+)?", d)
    points: list[Point] = []
    at = 0
    while at < len(tokens):
        command = tokens[at]
        count = 3 if command == "C" else 1
        numbers = [float(t) for t in tokens[at + 1 : at + 1 + 2 * count]]
        xy = list(zip(numbers[::2], numbers[1::2], strict=True))
        at += 1 + 2 * count
        if command == "C":
            (x0, y0), ((x1, y1), (x2, y2), (x3, y3)) = points[-1], xy
            for n in range(1, 33):
                t = n / 32
                u = 1 - t
                points.append(
                    (
                        u**3 * x0 + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                        u**3 * y0 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
                    )
                )
        else:
            points.append(xy[0])
    return points


def _crosses_inside(a: Point, b: Point, box: Box) -> bool:
    """Whether the segment a-b has any point strictly inside ``box`` (Liang-Barsky)."""
    x, y, width, height = box
    left, top, right, bottom = x + _EDGE, y + _EDGE, x + width - _EDGE, y + height - _EDGE
    (ax, ay), (bx, by) = a, b
    low, high = 0.0, 1.0
    for p, q in (
        (-(bx - ax), ax - left),
        (bx - ax, right - ax),
        (-(by - ay), ay - top),
        (by - ay, bottom - ay),
    ):
        if p == 0:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low >= high:
            return False
    return True


def assert_lines_clear_boxes(svg: str, hops: set[tuple[str, str]] | None = None) -> int:
    """Checks the picture's geometry; returns how many lines it has."""
    boxes, lines = _read(svg)
    drawn = [(a, b) for a, b, _ in lines]
    assert len(drawn) == len(set(drawn)), "a hop drawn twice"
    if hops is not None:
        assert set(drawn) == hops
    for a, b, points in lines:
        (sx, sy), (ex, ey) = points[0], points[-1]
        # from the right edge of one of the hop's boxes to the left edge of the other
        starts = [e for e in (a, b) if _on_edge(sx, sy, boxes[e], right=True)]
        ends = [e for e in (a, b) if _on_edge(ex, ey, boxes[e], right=False)]
        assert len(starts) == 1, f"{a} -> {b} does not start on a box's right edge"
        assert ends == [e for e in (a, b) if e not in starts], f"{a} -> {b} ends off its box"
        for start, end in zip(points, points[1:], strict=False):
            for entity, box in boxes.items():
                assert not _crosses_inside(start, end, box), f"{a} -> {b} crosses {entity}"
    return len(lines)


def _on_edge(x: float, y: float, box: Box, *, right: bool) -> bool:
    bx, by, width, height = box
    edge = bx + width if right else bx
    return abs(x - edge) <= _EDGE and by <= y <= by + height


def _hops(paths: Sequence[Sequence[str]]) -> set[tuple[str, str]]:
    return {hop for path in paths for hop in zip(path, path[1:], strict=False)}


def test_the_demo_reports_picture_draws_no_line_under_a_box(demo_report_html: Path) -> None:
    page = demo_report_html.read_text(encoding="utf-8")
    svg = re.search(r'<svg class="paths".*?</svg>', page, flags=re.DOTALL)
    assert svg is not None
    # the top 8 are reached over 20 shipments, some through subsidiary accounts
    assert assert_lines_clear_boxes(svg.group()) >= 28


def test_a_hop_that_skips_a_column_runs_through_a_free_channel() -> None:
    # S1 goes straight to its customer; S2 through a subsidiary in the column between
    paths: dict[str, list[tuple[str, ...]]] = {
        "Customer:T1": [(SOURCE, "Shipment:S1", "Customer:T1")],
        "Customer:T2": [(SOURCE, "Shipment:S2", "Customer:SUB", "Customer:T2")],
        "Customer:T3": [
            (SOURCE, "Shipment:S3", "Customer:T3"),
            (SOURCE, "Shipment:S4", "Customer:SUB2", "Customer:T3"),
        ],
    }
    targets = [ranked(n, t, paths=p) for n, (t, p) in enumerate(paths.items(), start=1)]
    svg = path_picture(report_of(targets), targets)
    every = [path for p in paths.values() for path in p]
    assert assert_lines_clear_boxes(svg, _hops(every)) == 10
    boxes, _ = _read(svg)
    # columns: source, shipments, subsidiaries, then the ranked targets in rank order
    assert boxes["Customer:SUB"][0] == boxes["Customer:SUB2"][0] < boxes["Customer:T1"][0]
    assert boxes["Customer:T1"][1] < boxes["Customer:T2"][1] < boxes["Customer:T3"][1]


def test_cycles_long_skips_and_a_ranked_target_on_another_targets_path() -> None:
    paths: dict[str, list[tuple[str, ...]]] = {
        "Customer:T1": [(SOURCE, "Shipment:A", "Shipment:B", "Customer:T1")],
        "Customer:T2": [
            (SOURCE, "Shipment:B", "Shipment:A", "Customer:X", "Customer:Y", "Customer:T2"),
            (SOURCE, "Customer:T2"),
        ],
        "Customer:T3": [(SOURCE, "Shipment:C", "Customer:T1", "Customer:T3")],
    }
    targets = [
        ranked(n, t, tier=f"T{n}", paths=p) for n, (t, p) in enumerate(paths.items(), start=1)
    ]
    svg = path_picture(report_of(targets), targets)
    assert assert_lines_clear_boxes(svg, _hops([p for ps in paths.values() for p in ps])) == 12


def test_no_paths_no_picture() -> None:
    targets = [ranked(1, "Customer:T1")]
    assert path_picture(report_of(targets), targets) == "<p>No paths to draw.</p>"


_MIDDLE = [f"{kind}:{n}" for kind in ("Shipment", "Customer") for n in range(5)]


@st.composite
def _reports(draw: st.DrawFn) -> list[list[tuple[str, ...]]]:
    """1-6 targets, each reached by 1-3 paths through distinct entities from a small pool
    (so paths share entities, skip columns and sometimes run the other way)."""
    count = draw(st.integers(1, 6))
    return [
        [
            (SOURCE, *draw(st.lists(st.sampled_from(_MIDDLE), max_size=4, unique=True)), f"T:{n}")
            for _ in range(draw(st.integers(1, 3)))
        ]
        for n in range(count)
    ]


@given(_reports())
def test_no_line_crosses_a_box_whatever_the_paths(paths: list[list[tuple[str, ...]]]) -> None:
    targets = [
        ranked(n + 1, f"T:{n}", tier=("T1", "T2", "T3")[n % 3], paths=p)
        for n, p in enumerate(paths)
    ]
    svg = path_picture(report_of(targets), targets)
    assert_lines_clear_boxes(svg, _hops([p for ps in paths for p in ps]))
