"""The report as text: a terminal table (110 columns), and Markdown to paste anywhere."""

from __future__ import annotations

import re
from typing import Final

from graph_crm.impact.render.display import (
    ARROW,
    NOT_READ,
    amount,
    as_of_line,
    days,
    entity_text,
    fit,
    headline,
    number,
    path_text,
    plain,
    policy_text,
    reads,
    summary_parts,
    target_noun,
    tier_counts,
    when,
    width,
    wrap,
)
from graph_crm.impact.report import ImpactReport, RankedTarget

WIDTH: Final = 110
#: Rows of the table that get their explanation and first path under them.
EXPLAINED_ROWS: Final = 10
#: Targets that get a "why" section in Markdown.
MARKDOWN_DETAILS: Final = 10
_NAME: Final = 36
_INDENT: Final = " " * 11  # under the name column
_EXPOSURE: Final = 10  # 'CNY 1.25M'
# rank, tier, name, score, buffer, complaints, exposure and their gaps take 80 columns
_ACTION: Final = WIDTH - 70 - _EXPOSURE


def summary(report: ImpactReport) -> str:
    return " · ".join(f"{value} {what}" for _, value, what in summary_parts(report))


def tier_lines(report: ImpactReport) -> list[str]:
    """One line per tier: its count, then its rule in words."""
    rules = {tier.tier: tier.rule for tier in report.tiers}
    lines = []
    for tier, label, count in tier_counts(report):
        line = f"{tier} {plain(label)}: {count}".replace(" :", ":")
        if rules.get(tier):
            line += f" — {plain(rules[tier])}"
        lines += wrap(line.split(" "), WIDTH)
    return lines


def _hidden(report: ImpactReport) -> str:
    hidden = report.totals.affected - len(report.targets)
    return f"{hidden} more" if hidden > 0 else "more"


def render_table(report: ImpactReport) -> str:
    policy = f"Policy {plain(policy_text(report))}"
    if report.policy_description:
        policy += f" · {plain(report.policy_description)}"
    lines = [
        *wrap(plain(headline(report)).split(" "), WIDTH),
        as_of_line(report),
        fit(policy, WIDTH).rstrip(),
        summary(report),
        *tier_lines(report),
        "",
        f"{'#':>4}  {'tier':<4} {fit(target_noun(report), _NAME)} {'score':>5} {'buffer':>6} "
        f"{'compl.':>6} {'exposure':>{_EXPOSURE}}  first action",
        "-" * WIDTH,
    ]
    for target in report.targets:
        lines.append(_row(report, target))
        if target.rank <= EXPLAINED_ROWS:
            lines += _explained(report, target)
    if not report.targets:
        lines.append("  Nothing is affected.")
    if report.truncated:
        lines.append(f"  … and {_hidden(report)} affected, not listed")
    return "\n".join(lines) + "\n"


def _row(report: ImpactReport, target: RankedTarget) -> str:
    key = plain(target.target.partition(":")[2] or target.target)
    label = plain(target.label)
    if label == key:
        name = fit(key, _NAME)
    elif width(key) <= _NAME // 2:  # keep the id whole: it is what people look up
        name = fit(label, _NAME - width(key) - 3, pad=False) + f" ({key})"
        name = fit(name, _NAME)
    else:
        name = fit(f"{label} ({key})", _NAME)
    buffer, complaints, exposure = _signal_cells(report, target)
    action = plain(target.actions[0]) if target.actions else "—"
    return (
        f"{target.rank:>4}  {fit(plain(target.tier), 4)} {name} {target.score:>5.3f} "
        f"{buffer:>6} {complaints:>6} {fit(exposure, _EXPOSURE, pad=False):>{_EXPOSURE}}  "
        f"{fit(action, _ACTION, pad=False)}"
    )


def _signal_cells(report: ImpactReport, target: RankedTarget) -> tuple[str, str, str]:
    """Buffer, complaints and exposure as a row shows them; '—' for a signal not read."""
    if not reads(report, "sla"):
        buffer = NOT_READ
    else:
        buffer = "no SLA" if target.sla_buffer_days is None else days(target.sla_buffer_days)
    complaints = str(target.complaints) if reads(report, "complaints") else NOT_READ
    exposure = amount(report, target.exposure) if reads(report, "exposure") else NOT_READ
    return buffer, complaints, exposure


def _explained(report: ImpactReport, target: RankedTarget) -> list[str]:
    room = WIDTH - len(_INDENT)
    lines = [_INDENT + line for line in wrap(plain(target.explanation).split(" "), room)]
    if target.paths:
        first, *rest = [plain(entity_text(report, entity)) for entity in target.paths[0]]
        hops = ["via", first, *(ARROW.lstrip() + step for step in rest)]
        more = target.path_count - 1
        if more > 0:
            hops.append(f"(+{more} more path{'s' if more > 1 else ''})")
        wrapped = wrap(hops, room - 4)
        lines += [_INDENT + wrapped[0], *(_INDENT + "    " + line for line in wrapped[1:])]
    return lines


def md(text: str) -> str:
    r"""``text`` safe inline in Markdown and in a table cell: no markup, links or HTML.

    >>> md("a|b *c* <d> &amp;")
    'a\\|b \\*c\\* \\<d\\> \\&amp;'
    """
    escaped = re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", plain(text))
    return re.sub(r"&(?=#?\w+;)", r"\\&", escaped)  # only where it would start an entity


def render_markdown(report: ImpactReport) -> str:
    description = f": {md(report.policy_description)}" if report.policy_description else ""
    lines = [
        f"# {md(headline(report))}",
        "",
        f"**{md(as_of_line(report))}**",
        "",
        f"Policy **{md(policy_text(report))}**{description}. "
        f"Delay {number(report.delay_days)} days.",
        "",
    ]
    for i, (_, value, what) in enumerate(summary_parts(report)):
        listed = f" ({len(report.targets)} listed below)" if report.truncated and i == 0 else ""
        lines.append(f"- **{md(value)}** {what}{listed}")
    rules = {tier.tier: tier.rule for tier in report.tiers}
    for tier, label, count in tier_counts(report):
        rule = f" ({md(rules[tier])})" if tier in rules else ""
        lines.append(f"- {md(tier)} {md(label)}: **{count}**{rule}")
    lines += ["", *_ranking(report)]
    if report.truncated:
        lines += ["", f"… and {_hidden(report)} affected, not listed."]
    detailed = report.targets[:MARKDOWN_DETAILS]
    if detailed:
        lines += ["", f"## Why the top {len(detailed)} rank where they do"]
    for target in detailed:
        lines += ["", *_why(report, target)]
    return "\n".join(lines) + "\n"


def _ranking(report: ImpactReport) -> list[str]:
    if not report.targets:
        return ["Nothing is affected."]
    lines = [
        f"| # | tier | {md(target_noun(report))} | score | +urgency | +exposure | +complaints "
        "| SLA buffer (d) | complaints | exposure | actions |",
        "|--:|---|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for t in report.targets:
        parts = {c.name: f"{c.contribution:.3f}" for c in t.components}
        buffer, complaints, exposure = _signal_cells(report, t)
        lines.append(
            f"| {t.rank} | {md(t.tier)} | {md(t.label)} ({md(t.target)}) | {t.score:.3f} "
            f"| {parts.get('urgency', NOT_READ)} | {parts.get('exposure', NOT_READ)} "
            f"| {parts.get('complaints', NOT_READ)} | {buffer} | {complaints} "
            f"| {exposure} | {md('; '.join(t.actions)) or '—'} |"
        )
    return lines


def _why(report: ImpactReport, target: RankedTarget) -> list[str]:
    lines = [
        f"### {target.rank}. {md(target.label)} — {md(target.tier)} {md(target.tier_label)}",
        "",
        f"- **Rule:** {md(target.tier_rule)}",
    ]
    if target.tier_formula:
        lines.append(f"- **Formula:** {md(target.tier_formula)}")
    if target.sla_deadline is not None:
        entity = f" ({md(target.sla_entity)})" if target.sla_entity else ""
        lines.append(
            f"- **SLA:** deadline {when(target.sla_deadline)}{entity}, "
            f"buffer {days(target.sla_buffer_days)} days"
        )
    lines.append(f"- **Score {target.score:.3f}:**")
    lines += [
        f"  - {md(c.name)} +{c.contribution:.3f} ({c.value:.3f} × weight {c.weight:g}): "
        f"{md(c.reason)}"
        for c in target.components
    ]
    lines.append(f"- **Paths** ({target.path_count}):")
    lines += [f"  - {md(path_text(report, path))}" for path in target.paths]
    if target.path_count > len(target.paths):
        lines.append(f"  - … {target.path_count - len(target.paths)} more")
    lines.append("- **Actions:**" if target.actions else "- **Actions:** none")
    lines += [f"  - [ ] {md(action)}" for action in target.actions]
    return lines
