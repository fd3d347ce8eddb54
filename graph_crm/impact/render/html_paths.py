"""The picture of how the disruption reaches the top targets, as inline SVG.

The source stands on the left, the ranked targets on the right, the entities between
(shipments, subsidiaries...) in columns; ``path_layout`` places them so that every line
runs from a box's right edge to the next box's left edge and never under another box.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final

from graph_crm.impact.render.display import entity_label, fit
from graph_crm.impact.render.html_svg import WIDTH, svg_text, tier_class
from graph_crm.impact.render.path_layout import LEFT, NODE_H, NODE_W, Point, Route, layout
from graph_crm.impact.report import ImpactReport, RankedTarget

_MORE: Final = 60  # room right of the targets for "+N"


def path_picture(report: ImpactReport, targets: Sequence[RankedTarget]) -> str:
    """Columns by position on the paths, each line coloured by the most urgent tier it
    leads to; boxes carry ``data-id`` and lines ``data-from``/``data-to`` (the hop)."""
    paths = [(i, path) for i, target in enumerate(targets) for path in target.paths if path]
    if not paths:
        return "<p>No paths to draw.</p>"
    drawn = layout(
        [path for _, path in paths],
        [target.target for target in targets],
        room=WIDTH - 2 * LEFT - NODE_W - _MORE,
    )
    last = len(drawn.columns) - 1
    width = round(2 * LEFT + last * drawn.step + NODE_W + _MORE)
    height = round(drawn.height + 8)
    parts = [
        f'<svg class="paths" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="how the disruption reaches the top {len(targets)}">'
    ]
    for c, column in enumerate(drawn.columns):
        types = sorted({entity.partition(":")[0] for entity in column})
        head = " / ".join(types) + (" (ranked)" if c == last and c else "")
        parts.append(svg_text(LEFT + c * drawn.step, 16, head, "colhead", 30))
    urgency: dict[tuple[str, str], str] = {}
    for i, path in paths:
        cls = tier_class(report, targets[i].tier)
        for hop in zip(path, path[1:], strict=False):
            urgency[hop] = min(urgency.get(hop, cls), cls)
    # the most urgent drawn last, on top where lines share a channel
    for route in sorted(drawn.routes, key=lambda r: urgency[r.hop], reverse=True):
        parts.append(_line(route, urgency[route.hop]))
    ranked = {target.target: target for target in targets}
    for column in drawn.columns:
        parts += [_node(report, e, drawn.boxes[e], ranked.get(e)) for e in column]
    parts.append("</svg>")
    return "".join(parts)


def _line(route: Route, cls: str) -> str:
    """Curves across the gaps between columns, straight through a column's channel."""
    (x, y), *rest = route.points
    steps = [f"M{x:.1f},{y:.1f}"]
    previous: Point = (x, y)
    for n, (ex, ey) in enumerate(rest):
        sx, sy = previous
        if n % 2:  # through a channel
            steps.append(f"L{ex:.1f},{ey:.1f}")
        else:
            bend = (ex - sx) / 2
            steps.append(f"C{sx + bend:.1f},{sy:.1f} {ex - bend:.1f},{ey:.1f} {ex:.1f},{ey:.1f}")
        previous = (ex, ey)
    a, b = (escape(entity) for entity in route.hop)
    return f'<path d="{" ".join(steps)}" class="edge {cls}" data-from="{a}" data-to="{b}"/>'


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
            f'<text x="{x + NODE_W + 6:.1f}" y="{y + 15:.1f}" class="more">+{hidden}'
            f"<title>{hidden} more path{'s' if hidden > 1 else ''}, not drawn</title></text>"
        )
    return (
        f'<g class="node {kind}" data-id="{escape(entity)}"><title>{escape(tip)}</title>'
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="4"/>'
        f'<text x="{x + 7:.1f}" y="{y + 15:.1f}">{escape(fit(shown, 28, pad=False))}</text>'
        f"</g>{more}"
    )
