"""The HTML report's pictures as inline SVG: score components, and how the paths run.

Both are drawn at their real size (``width`` = the viewBox) so text stays 12 px; the
page's CSS only shrinks them to fit (``max-width: 100%``), never blows them up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from html import escape
from typing import Final

from graph_crm.impact.render.display import entity_label, fit
from graph_crm.impact.report import ImpactReport, RankedTarget

#: Tier colours in the policy's order (most urgent first); later tiers share the last.
#: Each keeps >= 4.5:1 contrast with white text.
TIER_COLOURS: Final = ("#b3261e", "#a85400", "#2f6f9f", "#5f6b73")
COMPONENT_COLOURS: Final = {"urgency": "#d1495b", "exposure": "#edae49", "complaints": "#00798c"}
OTHER_COLOUR: Final = "#8d99a6"
WIDTH: Final = 1060
_ROW: Final = 22
_LABEL: Final = 300
_BAR: Final = 660
_NODE_W: Final = 200
_NODE_H: Final = 22
_PITCH: Final = _NODE_H + 6
_HEAD: Final = 28
_MORE: Final = 60  # room right of the targets for "+N"


def tier_class(report: ImpactReport, tier: str) -> str:
    """'t0' for the policy's first tier...; tiers past the palette (or unknown) share the last."""
    last = len(TIER_COLOURS) - 1
    index = next((i for i, info in enumerate(report.tiers) if info.tier == tier), last)
    return f"t{min(index, last)}"


def component_colour(name: str) -> str:
    return COMPONENT_COLOURS.get(name, OTHER_COLOUR)


def _text(x: float, y: float, text: str, cls: str = "", columns: int = 0) -> str:
    """A text element, cut to ``columns`` with the full text as its tooltip."""
    shown = fit(text, columns, pad=False) if columns else text
    tip = f"<title>{escape(text)}</title>" if shown != text else ""
    attr = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}"{attr}>{tip}{escape(shown)}</text>'


def component_chart(report: ImpactReport, targets: Sequence[RankedTarget]) -> str:
    """Horizontal stacked bars: each target's score split into its contributions."""
    plot = _ROW * len(targets) + 4
    height = plot + 30
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="score components of the top {len(targets)}">'
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        x = _LABEL + _BAR * tick
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{plot}" class="grid"/>')
        parts.append(_text(x, plot + 14, f"{tick:g}", "axis"))
    parts.append(_text(_LABEL + _BAR / 2, plot + 28, "score = Σ weight × component", "axis"))
    for i, target in enumerate(targets):
        y = 4 + i * _ROW
        parts.append(
            f'<circle cx="8" cy="{y + 9}" r="5" class="dot {tier_class(report, target.tier)}">'
            f"<title>{escape(target.tier)} {escape(target.tier_label)}</title></circle>"
        )
        parts.append(_text(20, y + 13, f"{target.rank}. {target.label}", "name", 44))
        x = float(_LABEL)
        for component in target.components:
            bar = _BAR * max(component.contribution, 0.0)
            if bar <= 0:
                continue
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 1}" width="{bar:.1f}" height="{_ROW - 5}" '
                f'fill="{component_colour(component.name)}"><title>{escape(component.name)} '
                f"+{component.contribution:.3f}: {escape(component.reason)}</title></rect>"
            )
            x += bar
        parts.append(_text(x + 6, y + 13, f"{target.score:.3f}", "score"))
    parts.append("</svg>")
    return "".join(parts)


def path_picture(report: ImpactReport, targets: Sequence[RankedTarget]) -> str:
    """Columns by position on the path: the source on the left, the targets on the right,
    the entities between (shipments, subsidiaries...) in the middle."""
    paths = [(i, path) for i, target in enumerate(targets) for path in target.paths if path]
    if not paths:
        return "<p>No paths to draw.</p>"
    last = max(len(path) for _, path in paths) - 1
    column: dict[str, int] = {}
    reaches: dict[str, list[int]] = defaultdict(list)  # entity -> the targets it leads to
    for i, path in paths:
        for position, entity in enumerate(path):
            column.setdefault(entity, last if position == len(path) - 1 else position)
            reaches[entity].append(i)
    # each column in the mean order of the targets its entities lead to: fewer crossings
    order = {entity: n for n, entity in enumerate(column)}
    stacks: list[list[str]] = [[] for _ in range(last + 1)]
    for entity in sorted(column, key=lambda e: (sum(reaches[e]) / len(reaches[e]), order[e])):
        stacks[column[entity]].append(entity)
    tallest = max(len(stack) for stack in stacks)
    step = max(_NODE_W + 50.0, (WIDTH - 16 - _NODE_W - _MORE) / last) if last else 0.0
    width = round(16 + last * step + _NODE_W + _MORE)
    height = _HEAD + tallest * _PITCH + 8
    at: dict[str, tuple[float, float]] = {}
    for c, stack in enumerate(stacks):
        slot = tallest * _PITCH / max(len(stack), 1)
        for row, entity in enumerate(stack):
            at[entity] = (8 + c * step, _HEAD + row * slot + (slot - _NODE_H) / 2)
    parts = [
        f'<svg class="paths" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="how the disruption reaches the top {len(targets)}">'
    ]
    for c, stack in enumerate(stacks):
        types = sorted({entity.partition(":")[0] for entity in stack})
        head = " / ".join(types) + (" (ranked)" if c == last and c else "")
        parts.append(_text(8 + c * step, 16, head, "colhead", 30))
    parts += _edges(report, targets, paths, at)
    ranked = {target.target: target for target in targets}
    for stack in stacks:
        parts += [_node(report, entity, at[entity], ranked.get(entity)) for entity in stack]
    parts.append("</svg>")
    return "".join(parts)


def _edges(
    report: ImpactReport,
    targets: Sequence[RankedTarget],
    paths: list[tuple[int, tuple[str, ...]]],
    at: dict[str, tuple[float, float]],
) -> list[str]:
    """One curve per hop, coloured by the most urgent tier it carries the disruption to."""
    urgency: dict[tuple[str, str], str] = {}
    for i, path in paths:
        cls = tier_class(report, targets[i].tier)
        for hop in zip(path, path[1:], strict=False):
            urgency[hop] = min(urgency.get(hop, cls), cls)
    drawn = []
    for (a, b), cls in sorted(urgency.items()):
        (ax, ay), (bx, by) = at[a], at[b]
        sx, sy, ex, ey = ax + _NODE_W, ay + _NODE_H / 2, bx, by + _NODE_H / 2
        bend = max(abs(ex - sx) / 2, 30.0)
        drawn.append(
            f'<path d="M{sx:.1f},{sy:.1f} C{sx + bend:.1f},{sy:.1f} {ex - bend:.1f},{ey:.1f} '
            f'{ex:.1f},{ey:.1f}" class="edge {cls}"/>'
        )
    return drawn


def _node(
    report: ImpactReport, entity: str, xy: tuple[float, float], target: RankedTarget | None
) -> str:
    x, y = xy
    type_name, _, key = entity.partition(":")
    label = entity_label(report, entity)
    if target is not None:
        kind, shown = tier_class(report, target.tier), f"{target.rank}. {label}"
    else:
        kind, shown = ("src" if entity == report.source else "mid"), label
    tip = f"{type_name} {key}" + (f": {label}" if label != key else "")
    if target is not None:
        tip += f" — rank {target.rank}, {target.tier} {target.tier_label}"
    more = ""
    if target is not None and target.path_count > len(target.paths):
        hidden = target.path_count - len(target.paths)
        more = (
            f'<text x="{x + _NODE_W + 6:.1f}" y="{y + 15:.1f}" class="more">+{hidden}'
            f"<title>{hidden} more path{'s' if hidden > 1 else ''}, not drawn</title></text>"
        )
    return (
        f'<g class="node {kind}"><title>{escape(tip)}</title>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{_NODE_W}" height="{_NODE_H}" rx="4"/>'
        f'<text x="{x + 7:.1f}" y="{y + 15:.1f}">{escape(fit(shown, 28, pad=False))}</text>'
        f"</g>{more}"
    )
