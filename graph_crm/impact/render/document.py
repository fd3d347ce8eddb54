"""A rendered report as a file: its name and media type beside the text (pure).

What a download is called and how it is served; the text is :func:`render`'s, the same
bytes ``graph-crm impact --format FMT -o FILE`` writes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from graph_crm.impact.render import FORMATS, render
from graph_crm.impact.report import ImpactReport

MEDIA_TYPES: Final = {
    "table": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}
EXTENSIONS: Final = {"table": "txt", "md": "md", "csv": "csv", "json": "json", "html": "html"}
#: Anything but these becomes "_": a file name safe on every system, whatever the key holds.
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9.-]+")
_MAX_STEM: Final = 120

assert set(MEDIA_TYPES) == set(EXTENSIONS) == set(FORMATS)


@dataclass(frozen=True, slots=True)
class ReportDocument:
    file_name: str
    media_type: str
    content: str


def file_name(report: ImpactReport, fmt: str) -> str:
    """``impact-<source>-<delay>d-<as-of>.<ext>``, in safe characters only.

    >>> from datetime import UTC, datetime
    >>> from graph_crm.impact.report import ImpactReport, Totals
    >>> report = ImpactReport("p", 1, "Warehouse:RTM/02 港", "", 2.5,
    ...     datetime(2026, 11, 23, 9, tzinfo=UTC), (), Totals(0, 0.0, 0), False)
    >>> file_name(report, "csv")
    'impact-Warehouse_RTM_02_-2.5d-20261123T0900Z.csv'
    """
    delay = f"{report.delay_days:g}"
    moment = report.as_of.strftime("%Y%m%dT%H%MZ")
    stem = _UNSAFE.sub("_", f"impact-{report.source}-{delay}d-{moment}")
    return f"{stem[:_MAX_STEM]}.{EXTENSIONS[fmt]}"


def document(report: ImpactReport, fmt: str) -> ReportDocument:
    """The report rendered as ``fmt`` (one of :data:`FORMATS`), named and typed."""
    content = render(report, fmt)  # refuses an unknown format first
    return ReportDocument(file_name(report, fmt), MEDIA_TYPES[fmt], content)
