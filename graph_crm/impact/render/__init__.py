"""An impact report as a document: a terminal table, Markdown, CSV, JSON or HTML (pure).

Every renderer is deterministic: the same report gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from graph_crm.errors import InvalidInput
from graph_crm.impact.render.html import render_html
from graph_crm.impact.render.json_form import render_json, report_to_json
from graph_crm.impact.render.tabular import render_csv
from graph_crm.impact.render.text import render_markdown, render_table
from graph_crm.impact.report import ImpactReport

__all__ = ["FORMATS", "render", "report_to_json"]


_RENDERERS: Final[dict[str, Callable[[ImpactReport], str]]] = {
    "table": render_table,
    "md": render_markdown,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}
FORMATS: Final = tuple(_RENDERERS)


def render(report: ImpactReport, fmt: str) -> str:
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise InvalidInput(
            f"unknown report format {fmt[:20]!r}; one of: {', '.join(FORMATS)}", path=("format",)
        ) from None
    return renderer(report)
