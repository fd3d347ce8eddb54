"""The HTML report's pictures as inline SVG: colours, text, and the score-component chart.

Both pictures (this chart, and ``html_paths``' picture of the paths) are drawn at their
real size (``width`` = the viewBox) so text stays 12 px; the page's CSS only shrinks
them to fit (``max-width: 100%``; on paper also a page's height), never blows them up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Final

from graph_crm.impact.render.display import days, fit, number
from graph_crm.impact.report import ImpactReport, RankedTarget

#: Tier colours in the policy's order (most urgent first); later tiers share the last.
#: Each keeps >= 4.5:1 contrast with white text.
TIER_COLOURS: Final = ("#b3261e", "#a85400", "#2f6f9f", "#5f6b73")
COMPONENT_COLOURS: Final = {"urgency": "#d1495b", "exposure": "#edae49", "complaints": "#00798c"}
OTHER_COLOUR: Final = "#8d99a6"
WIDTH: Final = 1040  # fits the page's 1050 px sections: no scrollbar at full width
_ROW: Final = 20
_LABEL: Final = 270  # the score bars start here
_BAR: Final = 480  # a score of 1
_PRINTED: Final = 30  # a bar this wide or wider prints its value
_GAP_X: Final = 815  # the days-past-buffer panel
_GAP_W: Final = 160
_VALUE_X: Final = WIDTH - 6  # its values, right-aligned


def tier_class(report: ImpactReport, tier: str) -> str:
    """'t0' for the policy's first tier...; tiers past the palette (or unknown) share the last."""
    last = len(TIER_COLOURS) - 1
    index = next((i for i, info in enumerate(report.tiers) if info.tier == tier), last)
    return f"t{min(index, last)}"


def component_colour(name: str) -> str:
    return COMPONENT_COLOURS.get(name, OTHER_COLOUR)


def svg_text(x: float, y: float, text: str, cls: str = "", columns: int = 0) -> str:
    """A text element, cut to ``columns`` with the full text as its tooltip."""
    shown = fit(text, columns, pad=False) if columns else text
    tip = f"<title>{escape(text)}</title>" if shown != text else ""
    attr = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}"{attr}>{tip}{escape(shown)}</text>'


def component_chart(report: ImpactReport, targets: Sequence[RankedTarget]) -> str:
    """Per target, two panels on one row. Left, the score as stacked bars, each component's
    contribution to scale (0 to 1) and printed where it fits. Right, how many days the
    delay runs past the SLA buffer (delay - buffer): the quantity urgency reads. Urgency
    is 1 for every predicted breach, so its bars alone cannot tell a breach by hours from
    one by a week; this panel can."""
    plot = _ROW * len(targets) + 4
    height = plot + 32
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="score components of the top {len(targets)}">'
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts += _tick(_LABEL + _BAR * tick, plot, f"{tick:g}")
    parts.append(svg_text(_LABEL + _BAR / 2, plot + 28, "score = Σ weight × component", "axis"))
    gaps = [_gap(report, target) for target in targets]
    ticks = nice_ticks([gap for gap in gaps if gap is not None])
    low, high = ticks[0], ticks[-1]

    def at(days_past: float) -> float:
        return _GAP_X + _GAP_W * (days_past - low) / (high - low)

    for tick in ticks:
        parts += _tick(at(tick), plot, f"{tick:g}", "zero" if tick == 0 else "grid")
    parts.append(
        svg_text(_GAP_X + _GAP_W / 2, plot + 28, "days the delay runs past the SLA buffer", "axis")
    )
    for i, (target, gap) in enumerate(zip(targets, gaps, strict=True)):
        y = 4 + i * _ROW
        parts.append(
            f'<circle cx="8" cy="{y + 9}" r="5" class="dot {tier_class(report, target.tier)}">'
            f"<title>{escape(target.tier)} {escape(target.tier_label)}</title></circle>"
        )
        parts.append(svg_text(20, y + 13, f"{target.rank}. {target.label}", "name", 38))
        x = float(_LABEL)
        for component in target.components:
            bar = _BAR * max(component.contribution, 0.0)
            if bar <= 0:
                continue
            colour = component_colour(component.name)
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 1}" width="{bar:.1f}" height="{_ROW - 5}" '
                f'fill="{colour}" class="part"><title>{escape(component.name)} '
                f"{component.value:.3f} × {component.weight:g} = +{component.contribution:.3f}: "
                f"{escape(component.reason)}</title></rect>"
            )
            if bar >= _PRINTED:
                shade = "seg on-dark" if _dark(colour) else "seg"
                parts.append(svg_text(x + bar / 2, y + 12, f"{component.contribution:.2f}", shade))
            x += bar
        parts.append(svg_text(x + 6, y + 13, f"{target.score:.3f}", "score"))
        if gap is None:
            parts.append(svg_text(_VALUE_X, y + 13, "no SLA", "days"))
            continue
        start, end = sorted((at(0.0), at(gap)))
        kind = "over" if gap >= 0 else "slack"
        parts.append(
            f'<rect x="{start:.1f}" y="{y + 3}" width="{end - start:.1f}" height="{_ROW - 9}" '
            f'class="{kind}"><title>delay {number(report.delay_days)}d − buffer '
            f"{days(target.sla_buffer_days)}d</title></rect>"
        )
        parts.append(svg_text(_VALUE_X, y + 13, ("+" if gap > 0 else "") + days(gap), "days"))
    parts.append("</svg>")
    return "".join(parts)


def nice_ticks(values: Sequence[float]) -> list[float]:
    """Axis ticks from 0 and every value, at a round step (1, 2 or 5 × 10^k): never a
    zero-width scale, even when every value is equal or zero, or there is none.

    >>> nice_ticks([3.2, -0.4]), nice_ticks([0.0, 0.0]), nice_ticks([]), nice_ticks([2.0] * 3)
    ([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0], [0.0, 0.5, 1.0], [0.0, 0.5, 1.0], [0.0, 0.5, 1.0, 1.5, 2.0])
    """
    low, high = min([0.0, *values]), max([0.0, *values])
    if high - low < 1e-9:
        high = low + 1.0
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(n * step, 9) + 0.0 for n in range(first, last + 1)]


def _gap(report: ImpactReport, target: RankedTarget) -> float | None:
    buffer = target.sla_buffer_days
    return None if buffer is None else report.delay_days - buffer


def _tick(x: float, plot: int, label: str, cls: str = "grid") -> list[str]:
    return [
        f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{plot}" class="{cls}"/>',
        svg_text(x, plot + 14, label, "axis"),
    ]


def _dark(colour: str) -> bool:
    """Whether white text reads better than ink on ``colour`` (by its luminance)."""
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue < 0.6
