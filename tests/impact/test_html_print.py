"""The demo's HTML report printed to PDF by a real browser (Debian's chromium, headless),
read back with poppler's pdftotext: what a risk manager gets on paper, on Letter and A4.

Without chromium and pdftotext these tests skip and say so; under CI=true they fail
instead (``scripts/test`` installs both as root).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graph_crm.impact.render.html import render_html
from graph_crm.impact.report import ImpactReport, TierInfo, Totals

_XHTML = "{http://www.w3.org/1999/xhtml}"
#: As the machine's notes run it: no first-run work, no background connections.
_CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


@dataclass(frozen=True)
class Printed:
    page: str  # the HTML as printed
    pages: list[list[str]]  # each page's non-empty lines (pdftotext -layout)
    first_page: list[Word]
    width: float  # of a page, in points
    height: float


@pytest.fixture(scope="module")
def tools() -> tuple[str, str]:
    """chromium and pdftotext, found before anything else is made."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    pdftotext = shutil.which("pdftotext")
    if chromium and pdftotext:
        return chromium, pdftotext
    missing = " and ".join(
        name for name, path in (("chromium", chromium), ("pdftotext", pdftotext)) if not path
    )
    reason = f"{missing} not installed (Debian: apt-get install chromium poppler-utils)"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI must print the report to PDF: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module", params=["letter", "A4"])
def paper(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def printed(
    tools: tuple[str, str],
    demo_report_html: Path,
    paper: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Printed:
    page = demo_report_html.read_text(encoding="utf-8")
    return print_to_pdf(tools, page, paper, tmp_path_factory.mktemp(f"print-{paper}"))


def print_to_pdf(tools: tuple[str, str], page: str, paper: str, directory: Path) -> Printed:
    """``page`` printed by chromium on ``paper`` (landscape), read back by pdftotext."""
    chromium, pdftotext = tools
    size = f"<style>@media print{{@page{{size:{paper} landscape}}}}</style></head>"
    source, pdf = directory / "report.html", directory / "report.pdf"
    source.write_text(page.replace("</head>", size, 1), encoding="utf-8")
    subprocess.run(
        [
            chromium,
            *_CHROMIUM_FLAGS,
            f"--user-data-dir={directory / 'profile'}",
            f"--print-to-pdf={pdf}",
            source.as_uri(),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    text = _run(pdftotext, "-layout", str(pdf), "-")
    pages = [[line for line in page.splitlines() if line.strip()] for page in text.split("\f")]
    boxes = ET.fromstring(_run(pdftotext, "-bbox-layout", "-f", "1", "-l", "1", str(pdf), "-"))
    first = next(boxes.iter(f"{_XHTML}page"))
    words = [
        Word(w.text or "", *(float(w.attrib[k]) for k in ("xMin", "yMin", "xMax", "yMax")))
        for w in first.iter(f"{_XHTML}word")
    ]
    width, height = float(first.attrib["width"]), float(first.attrib["height"])
    return Printed(page, [lines for lines in pages if lines], words, width, height)


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True).stdout


def _headings(page: str) -> list[str]:
    return [html.unescape(title) for title in re.findall(r"<h2>(.*?)</h2>", page)]


def _page_of(printed: Printed, line_text: str) -> tuple[int, int]:
    """(page, line) of the first line that is exactly ``line_text``."""
    for number, lines in enumerate(printed.pages):
        for at, line in enumerate(lines):
            if line.strip() == line_text:
                return number, at
    raise AssertionError(f"{line_text!r} is not a line of the printed report")


def test_the_report_prints_landscape_on_a_sane_number_of_pages(printed: Printed) -> None:
    assert printed.width > printed.height
    # 138 ranked rows and 50 "why" sections; 44 pages before the print stylesheet was fitted
    assert 8 <= len(printed.pages) <= 40


def test_no_heading_is_the_last_text_on_its_page(printed: Printed) -> None:
    titles = _headings(printed.page)
    assert "Ranking" in titles
    for title in titles:
        number, at = _page_of(printed, title)
        follows = printed.pages[number][at + 1 :]
        assert len(follows) >= 3, f"{title!r} ends page {number + 1}: {follows}"
    number, at = _page_of(printed, "Ranking")
    assert any(re.match(r"\s*1\s+T1\s", line) for line in printed.pages[number][at:]), (
        "the first ranked row is not on the Ranking heading's page"
    )


def test_a_figure_is_never_split_across_pages(printed: Printed) -> None:
    chart_title = next(t for t in _headings(printed.page) if t.startswith("Score components"))
    number, _ = _page_of(printed, chart_title)
    assert any("score = Σ weight × component" in line for line in printed.pages[number])
    number, _ = _page_of(printed, next(t for t in _headings(printed.page) if "reaches" in t))
    assert any("(ranked)" in line for line in printed.pages[number])


def test_the_ranking_header_repeats_on_every_page_of_the_table(printed: Printed) -> None:
    titles = _headings(printed.page)
    start, _ = _page_of(printed, "Ranking")
    end, _ = _page_of(printed, titles[titles.index("Ranking") + 1])
    assert end - start >= 2  # the table runs over pages
    for number in range(start + 1, end):
        assert re.match(r"\s*#\s+tier\s", printed.pages[number][0]), printed.pages[number][:2]


def test_the_kpi_cards_fit_one_row_of_the_first_page(printed: Printed) -> None:
    """The sixth card used to wrap onto a second row, the T2 card to be clipped."""
    assert _kpi_cards_fit(printed) == 6  # affected, breaches, exposure, T1, T2, T3


def test_seven_kpi_cards_with_long_words_still_fit_one_row(
    tools: tuple[str, str], paper: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    long_rule = "the delay meets or exceeds the contractual SLA buffer by at least three days"
    tiers = tuple(
        TierInfo(f"T{n}", f"Escalation level {n} (regional operations)", long_rule)
        for n in range(1, 5)
    )
    report = ImpactReport(
        policy="customs-delay",
        registry_version=3,
        source="Warehouse:RTM-02",
        source_label="Rotterdam",
        delay_days=6,
        as_of=datetime(2026, 11, 23, 9, tzinfo=UTC),
        targets=(),
        totals=Totals(123456, 987_654_321_000.0, 99999, {t.tier: 30864 for t in tiers}),
        truncated=False,
        tiers=tiers,
    )
    page = render_html(report).replace("targets reached", "Unterkundenverbindlichkeiten")
    printed = print_to_pdf(tools, page, paper, tmp_path_factory.mktemp(f"long-{paper}"))
    assert _kpi_cards_fit(printed) == 7


def _kpi_cards_fit(printed: Printed) -> int:
    """Checks that each card's text is on page 1, on one row of cards, inside its card
    (left of the next card's start) and inside the page; returns how many cards."""
    cards = [
        [html.unescape(part) for part in parts]
        for parts in re.findall(
            r'<div class="kpi[^"]*"><b>(.*?)</b><span>(.*?)</span><small>(.*?)</small>',
            printed.page,
        )
    ]
    values = [word for value, _, _ in cards for word in value.split()]
    anchor = next(w for w in printed.first_page if w.text == values[0] and w.y_max - w.y_min > 12)
    row = sorted(
        (w for w in printed.first_page if abs(w.y_min - anchor.y_min) < 2 and w.text in values),
        key=lambda w: w.x_min,
    )
    assert [w.text for w in row] == values  # every card's value on one row, in order
    starts, at = [], 0
    for value, _, _ in cards:
        starts.append(row[at].x_min)
        at += len(value.split())
    ends = [*(start - 4 for start in starts[1:]), printed.width - 14]  # 10 mm margins
    below = [w for w in printed.first_page if anchor.y_min - 2 <= w.y_min < anchor.y_max + 120]
    for (value, name, note), left, right in zip(cards, starts, ends, strict=True):
        for expected in f"{value} {name} {note}".split():
            placed = [w for w in below if left - 1 <= w.x_min and expected.startswith(w.text)]
            assert placed, f"{expected!r} of the card {name!r} is not on page 1"
            nearest = min(placed, key=lambda w: w.x_min)
            assert nearest.x_max <= right, f"{expected!r} of {name!r} runs out of its card"
    return len(cards)
