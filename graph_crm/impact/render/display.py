"""Wording shared by the renderers: numbers, days, times, entity names, display widths."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final

from graph_crm.impact.money import money
from graph_crm.impact.report import ImpactReport

__all__ = [
    "ARROW",
    "NOT_READ",
    "amount",
    "as_of_line",
    "days",
    "entity_label",
    "entity_text",
    "fit",
    "headline",
    "number",
    "path_text",
    "plain",
    "policy_text",
    "reads",
    "summary_parts",
    "target_noun",
    "tier_counts",
    "utc",
    "when",
    "width",
    "wrap",
]

#: In a column for a signal the policy does not read (no SLA, exposure or complaints).
NOT_READ: Final = "—"

#: Between the entities of a path. A report has no relation directions, so this is the
#: way the disruption travels (source to target), not the way each relation points.
ARROW: Final = " → "


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive time is taken as UTC, never as the machine's zone."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def when(moment: datetime | None) -> str:
    """A time for people.

    >>> when(datetime(2026, 11, 23, 9, tzinfo=UTC))
    '2026-11-23 09:00 UTC'
    """
    return "—" if moment is None else utc(moment).strftime("%Y-%m-%d %H:%M UTC")


def as_of_line(report: ImpactReport) -> str:
    """'As of 2026-11-23 09:00 UTC': the instant the report is computed for, which its
    header states first (a report run without one says it ran as of now)."""
    line = f"As of {when(report.as_of)}"
    return line + (" (now: no as-of time was given)" if report.as_of_is_now else "")


def policy_text(report: ImpactReport) -> str:
    """'customs-delay rev 2': the policy's own revision, not the registry's version."""
    return f"{report.policy} rev {report.policy_revision}"


def reads(report: ImpactReport, signal: str) -> bool:
    """Whether the report's policy reads ``signal`` ("sla", "exposure", "complaints")."""
    return signal in report.signals


def amount(report: ImpactReport, value: float) -> str:
    """An amount with the policy's currency: 'CNY 412k' (none named: '412k')."""
    return money(value, report.currency)


def summary_parts(report: ImpactReport) -> list[tuple[str, str, str]]:
    """(signal, value, what) for the totals, a signal the policy does not read left out:
    ('', '138', 'affected'), ('sla', '53', 'predicted SLA breaches'),
    ('exposure', 'CNY 16.33M', 'exposure at risk')."""
    totals = report.totals
    parts = [("", str(totals.affected), "affected")]
    if reads(report, "sla"):
        breaches = "breach" if totals.predicted_breaches == 1 else "breaches"
        parts.append(("sla", str(totals.predicted_breaches), f"predicted SLA {breaches}"))
    if reads(report, "exposure"):
        parts.append(("exposure", amount(report, totals.exposure_at_risk), "exposure at risk"))
    return parts


def days(value: float | None) -> str:
    """A buffer in days, one decimal: '4.8', '-2.0'; '—' without an SLA. What rounds to
    zero is '0.0', never '-0.0'.

    >>> days(4.84), days(-2.0), days(-0.04), days(None)
    ('4.8', '-2.0', '0.0', '—')
    """
    if value is None:
        return "—"
    shown = f"{value:.1f}"
    return "0.0" if shown == "-0.0" else shown


def number(value: float) -> str:
    """At most two decimals, no trailing zeros.

    >>> number(6.0), number(2.5), number(0.25), number(-0.001)
    ('6', '2.5', '0.25', '0')
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def entity_label(report: ImpactReport, entity: str) -> str:
    """The label the report has for ``entity``, else its key."""
    label = report.labels.get(entity) or (report.source_label if entity == report.source else "")
    return label or entity.partition(":")[2] or entity


def entity_text(report: ImpactReport, entity: str) -> str:
    """'Warehouse RTM-02 (Rotterdam)'; an entity without a label shows its key once."""
    type_name, _, key = entity.partition(":")
    label = entity_label(report, entity)
    return f"{type_name} {key}" + (f" ({label})" if label != key else "")


def path_text(report: ImpactReport, path: Sequence[str]) -> str:
    """'Warehouse RTM-02 (Rotterdam) → Shipment S1 → Customer ACME (Acme Ltd)'."""
    return ARROW.join(entity_text(report, entity) for entity in path)


def headline(report: ImpactReport) -> str:
    """'Impact of a 6-day delay at Warehouse RTM-02 (Rotterdam)'; without a delay, who the
    source reaches."""
    source = entity_text(report, report.source)
    if report.delay_days == 0:
        return f"Who a disruption at {source} reaches (no delay given)"
    return f"Impact of a {number(report.delay_days)}-day delay at {source}"


def target_noun(report: ImpactReport) -> str:
    """What the ranked rows are, for column headers: 'Customer' -> 'customer'."""
    if not report.targets:
        return "target"
    type_name = report.targets[0].target.partition(":")[0]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", type_name).lower() or "target"


def tier_counts(report: ImpactReport) -> list[tuple[str, str, int]]:
    """(tier, label, count) in the policy's order, then tiers only the totals name."""
    counts = [(t.tier, t.label, report.totals.by_tier.get(t.tier, 0)) for t in report.tiers]
    known = {t.tier for t in report.tiers}
    return counts + [(t, "", n) for t, n in report.totals.by_tier.items() if t not in known]


def plain(text: str) -> str:
    """``text`` on one line without control characters: a label cannot move a terminal's
    cursor (escape sequences) or flip the order of what follows it (bidi overrides)."""
    return "".join(
        " " if unicodedata.category(ch) == "Cc" else ch
        for ch in text
        if unicodedata.category(ch) != "Cf"
    )


def width(text: str) -> int:
    """Terminal columns: East Asian wide characters take two, combining marks none.

    >>> width("Acme"), width("上海")
    (4, 4)
    """
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def fit(text: str, columns: int, *, pad: bool = True) -> str:
    """``text`` cut with an ellipsis to at most ``columns``, padded to exactly that.

    >>> fit("上海阿克米", 7)
    '上海阿…'
    """
    if width(text) > columns:
        kept, used = [], 0
        for ch in text:
            used += width(ch)
            if used > columns - 1:
                break
            kept.append(ch)
        text = "".join(kept) + "…"
    return text + " " * (columns - width(text)) if pad else text


def wrap(words: Sequence[str], columns: int) -> list[str]:
    """``words`` joined by spaces into lines of at most ``columns`` (a longer word is cut).

    >>> wrap(["delay", "6d", ">=", "buffer", "4d"], 12)
    ['delay 6d >=', 'buffer 4d']
    """
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if width(candidate) <= columns:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = fit(word, columns, pad=False)
    return [*lines, line] if line else lines
