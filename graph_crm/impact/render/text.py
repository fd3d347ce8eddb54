"""The report as text: a terminal table, and Markdown a risk officer can paste anywhere."""

from __future__ import annotations

import unicodedata
from typing import Final

from graph_crm.impact.render.shape import amount, days, entity_text, path_text, when
from graph_crm.impact.report import ImpactReport, RankedTarget

#: Rows that get their explanation and first path under them in the terminal table.
EXPLAINED_ROWS: Final = 10
#: Targets that get a "why" section in Markdown.
MARKDOWN_DETAILS: Final = 10
_LABEL_WIDTH: Final = 38


def headline(report: ImpactReport) -> str:
    delay = days(report.delay_days).removesuffix(".0")
    return f"Impact of a {delay}-day delay at {entity_text(report, report.source)}"


def summary(report: ImpactReport) -> str:
    totals = report.totals
    tiers = " · ".join(f"{tier} {count}" for tier, count in totals.by_tier.items())
    breaches = _count(totals.predicted_breaches, "predicted SLA breach")
    return (
        f"{totals.affected} affected · {breaches} · "
        f"{amount(totals.exposure_at_risk)} exposure at risk · {tiers}"
    )


def _count(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "es" if noun.endswith("h") else "s")


def _width(text: str) -> int:
    """Terminal columns: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``width`` columns."""
    if _width(text) > width:
        cut = ""
        for ch in text:
            if _width(cut + ch) > width - 1:
                break
            cut += ch
        text = cut + "…"
    return text + " " * (width - _width(text))


def render_table(report: ImpactReport) -> str:
    lines = [
        headline(report),
        f"policy {report.policy} (v{report.policy_version}), as of {when(report.as_of)}",
        summary(report),
        "",
        f"{'#':>4}  {'tier':<5} {_fit('customer', _LABEL_WIDTH)} {'score':>6} {'buffer d':>8} "
        f"{'compl.':>6} {'exposure':>9}  first action",
    ]
    for target in report.targets:
        name = f"{target.label} ({target.target.partition(':')[2]})"
        action = target.actions[0] if target.actions else "—"
        lines.append(
            f"{target.rank:>4}  {target.tier:<5} {_fit(name, _LABEL_WIDTH)} "
            f"{target.score:>6.3f} {days(target.sla_buffer_days):>8} {target.complaints:>6} "
            f"{amount(target.exposure):>9}  {_fit(action, 40).rstrip()}"
        )
        if target.rank <= EXPLAINED_ROWS:
            lines.append(f"{'':>11}{target.explanation}")
            if target.paths:
                more = target.path_count - 1
                tail = f"  (+{more} more path{'s' if more > 1 else ''})" if more else ""
                lines.append(f"{'':>11}via {path_text(report, target.paths[0])}{tail}")
    if not report.targets:
        lines.append("  nothing is affected")
    if report.truncated:
        hidden = report.totals.affected - len(report.targets)
        lines.append(f"  … and {hidden} more (--limit, or --format html|csv|md for all)")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or line."""
    escaped = "".join("\\" + ch if ch in "\\`*_[]<>|#" else ch for ch in text)
    return escaped.replace("\n", " ")


def render_markdown(report: ImpactReport) -> str:
    totals = report.totals
    lines = [
        f"# {_md(headline(report))}",
        "",
        f"Policy **{_md(report.policy)}** (version {report.policy_version})"
        + (f": {_md(report.policy_description)}" if report.policy_description else "")
        + f". As of {when(report.as_of)}.",
        "",
        f"- **{totals.affected}** affected",
        f"- **{_count(totals.predicted_breaches, 'predicted SLA breach')}**",
        f"- **{amount(totals.exposure_at_risk)}** exposure at risk",
    ]
    for tier in report.tiers:
        count = totals.by_tier.get(tier.tier, 0)
        lines.append(f"- {tier.tier} {_md(tier.label)}: **{count}** ({_md(tier.rule)})")
    lines += [
        "",
        "| # | tier | customer | score | +urgency | +exposure | +complaints | buffer (d) "
        "| complaints | exposure | actions |",
        "|--:|---|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for target in report.targets:
        parts = {c.name: f"{c.contribution:.3f}" for c in target.components}
        lines.append(
            f"| {target.rank} | {target.tier} | {_md(target.label)} ({_md(target.target)}) "
            f"| {target.score:.3f} | {parts.get('urgency', '')} | {parts.get('exposure', '')} "
            f"| {parts.get('complaints', '')} | {days(target.sla_buffer_days)} "
            f"| {target.complaints} | {amount(target.exposure)} "
            f"| {_md('; '.join(target.actions))} |"
        )
    if report.truncated:
        hidden = totals.affected - len(report.targets)
        lines += ["", f"… and {hidden} more affected targets not listed."]
    for target in report.targets[:MARKDOWN_DETAILS]:
        lines += ["", *_why(report, target)]
    return "\n".join(lines) + "\n"


def _why(report: ImpactReport, target: RankedTarget) -> list[str]:
    lines = [
        f"## {target.rank}. {_md(target.label)} — {target.tier} {_md(target.tier_label)}",
        "",
        f"- Rule: {_md(target.tier_rule)}",
        f"- Score {target.score:.3f}: "
        + "; ".join(f"{c.name} {_md(c.reason)} (+{c.contribution:.3f})" for c in target.components),
    ]
    if target.sla_deadline is not None:
        lines.append(f"- SLA deadline {when(target.sla_deadline)} ({_md(target.sla_entity or '')})")
    for path in target.paths:
        lines.append(f"- Path: {_md(path_text(report, path))}")
    if target.path_count > len(target.paths):
        lines.append(f"- … {target.path_count - len(target.paths)} more paths")
    for action in target.actions:
        lines.append(f"- [ ] {_md(action)}")
    return lines
