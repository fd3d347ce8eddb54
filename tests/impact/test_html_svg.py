"""The score-component chart (html_svg), read back from its SVG: every bar is as long as
the value it stands for on the axis drawn under it, and the days-past-buffer panel shows
what urgency alone cannot (urgency is 1 for every predicted breach)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import pytest

from graph_crm.impact.render.html_svg import component_chart, nice_ticks
from graph_crm.impact.report import ImpactReport, RankedTarget
from tests.impact.made_reports import ranked, report_of

_PRINTED_TO = 0.051  # bar lengths are printed to 0.1 px


class Chart:
    """The chart's axes as linear maps, and its bars by row."""

    def __init__(self, svg: str) -> None:
        root = ET.fromstring(svg)
        ticks = [
            (float(t.text), float(t.attrib["x"]))
            for t in _of(root, "text", "axis")
            if t.text and t.text.lstrip("-").replace(".", "", 1).isdigit()
        ]
        score, days = ticks[:5], ticks[5:]
        assert [value for value, _ in score] == [0, 0.25, 0.5, 0.75, 1]
        self.score_zero, self.score_unit = score[0][1], score[-1][1] - score[0][1]
        (low, x_low), (high, x_high) = days[0], days[-1]
        self.days_ticks = [value for value, _ in days]
        self.days_zero = x_low - low * (x_high - x_low) / (high - low)
        self.days_unit = (x_high - x_low) / (high - low)
        self.parts = _of(root, "rect", "part")
        self.days_bars = _of(root, "rect", "over") + _of(root, "rect", "slack")
        self.days_text = [t.text for t in _of(root, "text", "days")]
        self.segment_text = [t.text for t in _of(root, "text", "seg")]


def _of(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(tag) if cls in e.attrib.get("class", "").split()]


def _chart(targets: Sequence[RankedTarget], report: ImpactReport | None = None) -> Chart:
    return Chart(component_chart(report or report_of(targets), targets))


def _width(rect: ET.Element) -> float:
    return float(rect.attrib["width"])


def test_each_segment_is_its_contribution_to_the_score_axis() -> None:
    # urgency differs when a breach is not predicted: exp(gap / tau) below 1
    values = [(1.0, 0.9, 1.0), (0.6, 0.4, 0.0), (0.25, 1.0, 0.5), (0.0, 0.1, 0.0)]
    targets = [ranked(n, f"C:{n}", values=v) for n, v in enumerate(values, start=1)]
    chart = _chart(targets)
    expected = [c.contribution for t in targets for c in t.components if c.contribution > 0]
    assert len(chart.parts) == len(expected) == 9
    for rect, contribution in zip(chart.parts, expected, strict=True):
        assert _width(rect) == pytest.approx(contribution * chart.score_unit, abs=_PRINTED_TO)
    urgency = [_width(r) for r in chart.parts if (r.findtext("title") or "").startswith("urgency")]
    assert urgency == pytest.approx(
        [0.5 * chart.score_unit, 0.3 * chart.score_unit, 0.125 * chart.score_unit]
    )
    assert "0.50" in chart.segment_text  # the value is printed on wide segments


def test_the_days_panel_shows_how_far_each_breach_runs_past_its_buffer() -> None:
    """All four are predicted breaches (urgency 1, equal urgency bars); their days past
    the SLA buffer are 5.5, 3, 0 and -2 (two days of slack)."""
    buffers = [0.5, 3.0, 6.0, 8.0]
    targets = [ranked(n, f"C:{n}", buffer_days=b) for n, b in enumerate(buffers, start=1)]
    chart = _chart(targets)
    assert chart.days_text == ["+5.5", "+3.0", "0.0", "-2.0"]
    assert chart.days_ticks[0] <= -2
    assert chart.days_ticks[-1] >= 5.5
    by_row = sorted(chart.days_bars, key=lambda r: float(r.attrib["y"]))
    for rect, buffer in zip(by_row, buffers, strict=True):
        gap = 6.0 - buffer
        assert _width(rect) == pytest.approx(abs(gap) * chart.days_unit, abs=_PRINTED_TO)
        start = chart.days_zero + min(gap, 0.0) * chart.days_unit
        assert float(rect.attrib["x"]) == pytest.approx(start, abs=_PRINTED_TO)
    assert [r.attrib["class"] for r in by_row] == ["over", "over", "over", "slack"]


@pytest.mark.parametrize(
    ("buffers", "bar"),
    [([2.0, 2.0, 2.0], 4.0), ([6.0, 6.0], 0.0), ([None, None], None), ([9.0], -3.0)],
    ids=["all equal", "all zero", "no SLA at all", "one, all slack"],
)
def test_the_days_scale_is_sensible_when_values_are_equal_zero_or_missing(
    buffers: list[float | None], bar: float | None
) -> None:
    targets = [ranked(n, f"C:{n}", buffer_days=b) for n, b in enumerate(buffers, start=1)]
    chart = _chart(targets)
    assert chart.days_unit > 0
    assert math.isfinite(chart.days_zero)
    assert chart.days_ticks[0] <= 0 <= chart.days_ticks[-1]
    if bar is None:
        assert chart.days_bars == []
        assert chart.days_text == ["no SLA"] * len(buffers)
        return
    widths = [_width(rect) for rect in chart.days_bars]
    assert widths == pytest.approx([abs(bar) * chart.days_unit] * len(buffers), abs=_PRINTED_TO)


@pytest.mark.parametrize(
    ("values", "ticks"),
    [
        ([3.2, -0.4], [-1.0, 0.0, 1.0, 2.0, 3.0, 4.0]),
        ([0.0], [0.0, 0.5, 1.0]),
        ([], [0.0, 0.5, 1.0]),
        ([-7.0, -7.0], [-8.0, -6.0, -4.0, -2.0, 0.0]),
        ([0.03], [0.0, 0.01, 0.02, 0.03]),
        ([120.0], [0.0, 50.0, 100.0, 150.0]),
    ],
)
def test_nice_ticks_cover_zero_and_every_value_at_a_round_step(
    values: list[float], ticks: list[float]
) -> None:
    assert nice_ticks(values) == pytest.approx(ticks)
