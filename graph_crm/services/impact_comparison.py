"""A what-if comparison: one source under two settings (delays or as-of times), diffed.

One evaluation per side, and only one when both sides read the data at the same instant
(a delay changes the ranking, not what is reached — unless the policy's conditions read
``$delayDays``). Each side is ranked in full, so the
diff sees every affected target, not only the first page; labels are read once for both.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from graph_crm.clock import utc_now
from graph_crm.errors import GraphCrmError
from graph_crm.impact.bind import plan_parameters
from graph_crm.impact.compare import ReportComparison, compare_reports
from graph_crm.impact.rank import build_report, with_labels
from graph_crm.impact.report_inputs import DEFAULT_DELAY_DAYS, MAX_LIMIT, check_delay, parse_as_of
from graph_crm.model.records import global_id, parse_global_id
from graph_crm.services.impact_report import load_policy
from graph_crm.store.base import GraphStore


@dataclass(frozen=True, slots=True)
class Setting:
    """One side of a what-if: a delay in days (None: 0) as of a time (None: now)."""

    delay_days: Any = DEFAULT_DELAY_DAYS
    as_of: str | datetime | date | None = None


async def impact_comparison(
    store: GraphStore,
    *,
    source: str,
    base: Setting,
    other: Setting,
    policy: str | None = None,
) -> ReportComparison:
    """``source``'s report under ``base`` and under ``other``, and what changes between."""
    now = utc_now()  # read once: two sides "as of now" are as of the same instant
    sides = []
    for name, setting in (("base", base), ("other", other)):
        try:
            delay = check_delay(
                DEFAULT_DELAY_DAYS if setting.delay_days is None else setting.delay_days
            )
            moment = parse_as_of(setting.as_of, now=now)
        except GraphCrmError as error:
            raise type(error)(error.message, path=(name, *error.path)) from None
        sides.append((delay, moment, setting.as_of is None))
    compiled = await load_policy(store, policy)
    source = global_id(*parse_global_id(source, ("source",)))
    reads_delay = "delayDays" in plan_parameters(compiled.plan)
    rows_at: dict[tuple[datetime, float | None], Any] = {}
    reports = []
    for delay, moment, is_now in sides:
        key = (moment, delay if reads_delay else None)
        if key not in rows_at:
            rows_at[key] = await store.impact_rows(
                compiled.plan, source, as_of=moment, delay_days=delay
            )
        report = build_report(
            compiled, rows_at[key], source=source, delay_days=delay, as_of=moment,
            limit=MAX_LIMIT,
        )  # fmt: skip
        reports.append(replace(report, as_of_is_now=is_now))
    ids = sorted({source} | {t.target for report in reports for t in report.targets})
    labels = await store.entity_labels(ids)
    base_report, other_report = (with_labels(report, labels) for report in reports)
    return compare_reports(base_report, other_report)
