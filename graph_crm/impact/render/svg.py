"""The HTML report's pictures, as inline SVG: score components, and how the paths run."""

from __future__ import annotations

import unicodedata
from html import escape
from typing import Final

from graph_crm.impact.report import ImpactReport, RankedTarget

COMPONENT_COLOURS: Final = {"urgency": "#c8553d", "exposure": "#e9b44c", "complaints": "#2a7f8f"}
_ROW: Final = 22
_LABEL: Final = 230


def _short(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` display columns (a CJK character takes two)."""
    used, kept = 0, list[str]()
    for ch in text:
        used += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used > columns:
            return "".join(kept).rstrip() + "…"
        kept.append(ch)
    return text


def component_chart(targets: tuple[RankedTarget, ...]) -> str:
    """Horizontal stacked bars: each target's score split into its contributions."""
    width, bar = 760, 440
    height = _ROW * len(targets) + 30
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="score components of the top {len(targets)}">'
    ]
    for x in (0.25, 0.5, 0.75, 1.0):
        gx = _LABEL + bar * x
        parts.append(
            f'<line x1="{gx:.1f}" y1="0" x2="{gx:.1f}" y2="{height - 22}" class="grid"/>'
            f'<text x="{gx:.1f}" y="{height - 8}" class="axis">{x:.2f}</text>'
        )
    for i, target in enumerate(targets):
        y = i * _ROW + 4
        label = f"{target.rank}. {target.label}"
        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + 13}" class="name">'
            f"<title>{escape(label)}</title>{escape(_short(label, 32))}</text>"
        )
        x = float(_LABEL)
        for component in target.components:
            w = bar * component.contribution
            if w <= 0:
                continue
            colour = COMPONENT_COLOURS.get(component.name, "#888")
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{_ROW - 6}" '
                f'fill="{colour}"><title>{escape(component.name)}: '
                f"+{component.contribution:.3f} — {escape(component.reason)}</title></rect>"
            )
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 13}" class="score">{target.score:.3f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def path_picture(report: ImpactReport, targets: tuple[RankedTarget, ...]) -> str:
    """Source on the left, targets on the right, the entities between in path order."""
    paths = [path for target in targets for path in target.paths]
    if not paths:
        return "<p>No paths to draw.</p>"
    columns = max(len(path) for path in paths)
    placed: dict[str, tuple[int, int]] = {}
    per_column = [0] * columns
    for path in paths:
        for index, entity in enumerate(path):
            if entity in placed:
                continue
            column = columns - 1 if index == len(path) - 1 else index
            placed[entity] = (column, per_column[column])
            per_column[column] += 1
    tallest = max(per_column)
    col_width, node_w, node_h, gap = 200, 168, 20, 5
    width = col_width * (columns - 1) + node_w + 20
    height = tallest * (node_h + gap) + 20

    def centre(entity: str) -> tuple[float, float]:
        column, row = placed[entity]
        offset = (tallest - per_column[column]) * (node_h + gap) / 2
        return 10 + column * col_width, 10 + offset + row * (node_h + gap)

    parts = [
        f'<svg class="paths" viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-label="how the disruption reaches the top targets">'
    ]
    edges = sorted({(a, b) for path in paths for a, b in zip(path, path[1:], strict=False)})
    for a, b in edges:
        (x1, y1), (x2, y2) = centre(a), centre(b)
        sx, sy, ex, ey = x1 + node_w, y1 + node_h / 2, x2, y2 + node_h / 2
        mid = (sx + ex) / 2
        parts.append(
            f'<path d="M{sx:.1f},{sy:.1f} C{mid:.1f},{sy:.1f} {mid:.1f},{ey:.1f} '
            f'{ex:.1f},{ey:.1f}" class="edge"/>'
        )
    tiers = {target.target: target.tier for target in targets}
    for entity, _ in sorted(placed.items(), key=lambda item: item[1]):
        x, y = centre(entity)
        type_name, _, key = entity.partition(":")
        label = report.labels.get(entity, key)
        kind = (
            "source"
            if entity == report.source
            else f"tier-{tiers[entity]}"
            if entity in tiers
            else "via"
        )
        parts.append(
            f'<g class="node {escape(kind)}"><title>{escape(type_name)} {escape(key)}: '
            f'{escape(label)}</title><rect x="{x:.1f}" y="{y:.1f}" width="{node_w}" '
            f'height="{node_h}" rx="4"/><text x="{x + 7:.1f}" y="{y + 14:.1f}">'
            f"{escape(_short(label, 25))}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
