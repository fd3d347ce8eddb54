"""The report as CSV: one row per listed target, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any, Final

from graph_crm.impact.render.shape import iso
from graph_crm.impact.report import ImpactReport, RankedTarget

COLUMNS: Final = (
    "rank",
    "target",
    "label",
    "tier",
    "tierLabel",
    "tierRule",
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
    "exposureEntities",
    "pathCount",
    "topPath",
    "actions",
)
#: A spreadsheet runs a cell starting with these as a formula (CSV injection).
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _row(target: RankedTarget) -> list[Any]:
    contributions = {c.name: c.contribution for c in target.components}
    values: list[Any] = [
        target.rank,
        target.target,
        target.label,
        target.tier,
        target.tier_label,
        target.tier_rule,
        target.score,
        contributions.get("urgency", ""),
        contributions.get("exposure", ""),
        contributions.get("complaints", ""),
        "" if target.sla_buffer_days is None else target.sla_buffer_days,
        iso(target.sla_deadline) or "",
        target.sla_entity or "",
        "yes" if target.breach_predicted else "no",
        target.complaints,
        target.exposure,
        target.exposure_entities,
        target.path_count,
        " > ".join(target.paths[0]) if target.paths else "",
        "; ".join(target.actions),
    ]
    return [_cell(value) for value in values]


def render_csv(report: ImpactReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(target) for target in report.targets)
    return out.getvalue()
