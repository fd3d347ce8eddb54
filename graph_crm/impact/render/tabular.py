"""The report as CSV: one row per listed target, safe to open in a spreadsheet.

Every row starts with the report's as-of time; a column for a signal the policy does not
read (complaints, exposure) is empty, and ``currency`` names the exposure's currency.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Final

from graph_crm.impact.render.json_form import iso
from graph_crm.impact.report import ImpactReport, RankedTarget

COLUMNS: Final = (
    "asOf",  # first: the instant every row is computed for
    "rank",
    "target",
    "label",
    "tier",
    "tierLabel",
    "tierRule",
    "tierFormula",
    "score",
    "urgency",
    "exposureScore",
    "complaintsScore",
    "slaBufferDays",
    "slaDeadline",
    "slaEntity",
    "breachPredicted",
    "complaints",
    "exposure",
    "currency",  # of exposure; empty when the policy names none
    "exposureEntities",
    "pathCount",
    "topPath",
    "actions",
)
#: A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r", "\n")
Cell = str | int | float


def guard(value: Cell) -> Cell:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe;
    numbers (and text that is just a number, like '-2.5') stay as they are.

    >>> guard("=1+1"), guard("@SUM(A1)"), guard("-2.5"), guard(-2.5), guard("Acme")
    ("'=1+1", "'@SUM(A1)", '-2.5', -2.5, 'Acme')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _numeric(value):
        return "'" + value
    return value


def _numeric(text: str) -> bool:
    try:
        return math.isfinite(float(text)) and text == text.strip()
    except ValueError:
        return False


def _row(report: ImpactReport, target: RankedTarget) -> list[Cell]:
    contributions = {c.name: c.contribution for c in target.components}
    exposure_read = "exposure" in report.signals
    values: list[Cell] = [
        iso(report.as_of) or "",
        target.rank,
        target.target,
        target.label,
        target.tier,
        target.tier_label,
        target.tier_rule,
        target.tier_formula,
        target.score,
        contributions.get("urgency", ""),
        contributions.get("exposure", ""),
        contributions.get("complaints", ""),
        "" if target.sla_buffer_days is None else target.sla_buffer_days,
        iso(target.sla_deadline) or "",
        target.sla_entity or "",
        "true" if target.breach_predicted else "false",
        target.complaints if "complaints" in report.signals else "",
        target.exposure if exposure_read else "",
        (report.currency or "") if exposure_read else "",
        target.exposure_entities if exposure_read else "",
        target.path_count,
        " > ".join(target.paths[0]) if target.paths else "",
        "; ".join(target.actions),
    ]
    return [guard(value) for value in values]


def render_csv(report: ImpactReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(report, target) for target in report.targets)
    return out.getvalue()
