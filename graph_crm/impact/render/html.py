"""The report as one self-contained HTML file a risk team can send on.

No scripts, fonts, images or fetches: the stylesheet and both pictures are inline, so
the file opens offline and mails as one attachment; it prints landscape with every
section open. All report text is escaped; none of it reaches the stylesheet.
"""

from __future__ import annotations

from html import escape
from typing import Final

from graph_crm.impact.money import money
from graph_crm.impact.render.display import (
    NOT_READ,
    amount,
    as_of_line,
    days,
    entity_text,
    headline,
    number,
    path_text,
    policy_text,
    reads,
    summary_parts,
    target_noun,
    tier_counts,
    when,
)
from graph_crm.impact.render.html_paths import path_picture
from graph_crm.impact.render.html_style import STYLESHEET
from graph_crm.impact.render.html_svg import component_chart, component_colour, tier_class
from graph_crm.impact.report import ImpactReport, RankedTarget

#: Targets in the score chart, in the picture of paths, and with a "why" section.
CHART_ROWS: Final = 20
PICTURE_TARGETS: Final = 8
DETAILED_ROWS: Final = 50
#: "Why" sections open on screen (all open on paper).
OPEN_DETAILS: Final = 3


def render_html(report: ImpactReport) -> str:
    title = headline(report)
    top = report.targets
    sections = [_kpis(report)]
    if top:
        charted = top[:CHART_ROWS]
        sections.append(
            _figure(
                f"Score components — top {len(charted)}",
                "Each bar is a score split into what made it: tiers rank first, then the "
                "score, ties by id. Urgency is full for every predicted breach; the bars "
                "on the right show by how many days the delay runs past the SLA buffer "
                "(below 0: days of slack left).",
                _legend(charted[0]) + _scroll(component_chart(report, charted)),
            )
        )
        pictured = top[:PICTURE_TARGETS]
        sections.append(
            _figure(
                f"How the disruption reaches the top {len(pictured)}",
                f"From {entity_text(report, report.source)} along the policy's path; "
                "each line is coloured by the most urgent tier it leads to.",
                _scroll(path_picture(report, pictured)),
            )
        )
    sections.append(_section("Ranking", _ranking_note(report), _table(report)))
    if top:
        detailed = top[:DETAILED_ROWS]
        sections.append(
            _section(
                "Why each ranks where it does",
                f"The top {len(detailed)}: the tier rule that fired, each score component, "
                "the paths that reach them and the planned actions.",
                "".join(_why(report, target) for target in detailed),
            )
        )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} — {escape(as_of_line(report))}</title>"
        f"<style>{STYLESHEET}</style></head><body>"
        f"{_header(report, title)}<main class=wrap>{''.join(sections)}</main>"
        f"{_footer(report)}</body></html>\n"
    )


def _header(report: ImpactReport, title: str) -> str:
    lede = (
        f'<p class="lede">{escape(report.policy_description)}</p>'
        if report.policy_description
        else ""
    )
    facts = [
        ("As of", as_of_line(report).removeprefix("As of ")),
        ("Source", entity_text(report, report.source)),
        ("Delay", f"{number(report.delay_days)} days"),
        ("Policy", policy_text(report)),
    ]
    listed = "".join(f"<div><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>" for k, v in facts)
    return (
        '<header><div class="wrap"><p class="eyebrow">graph-crm · impact report</p>'
        f'<h1>{escape(title)}</h1>{lede}<dl class="facts">{listed}</dl></div></header>'
    )


def _kpis(report: ImpactReport) -> str:
    notes = {
        "": f"{target_noun(report)}s reached",
        "sla": "delay ≥ SLA buffer",
        "exposure": "summed once per entity",
    }
    cards = [("", value, what, notes[signal]) for signal, value, what in summary_parts(report)]
    if report.currency and reads(report, "exposure"):
        # a card's big figure has room for the amount; its currency goes in the caption
        exposure = next(i for i, (_, _, what, _) in enumerate(cards) if what == "exposure at risk")
        figure = money(report.totals.exposure_at_risk)
        cards[exposure] = ("", figure, f"exposure at risk ({report.currency})", notes["exposure"])
    rules = {tier.tier: tier.rule for tier in report.tiers}
    cards += [
        (tier_class(report, tier), str(count), f"{tier} {label}".strip(), rules.get(tier, ""))
        for tier, label, count in tier_counts(report)
    ]
    items = "".join(
        f'<div class="kpi {cls}"><b>{escape(value)}</b><span>{escape(name)}</span>'
        f"<small>{escape(note)}</small></div>"
        for cls, value, name, note in cards
    )
    return f'<div class="kpis">{items}</div>'


def _section(title: str, note: str, content: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return (
        f"<section{attr}><h2>{escape(title)}</h2><p class=note>{escape(note)}</p>"
        f"{content}</section>"
    )


def _figure(title: str, note: str, content: str) -> str:
    return _section(title, note, content, cls="fig")


def _scroll(svg: str) -> str:
    return f'<div class="scroll">{svg}</div>'


def _legend(target: RankedTarget) -> str:
    spans = "".join(
        f'<span><i class="sw" style="background:{component_colour(c.name)}"></i>'
        f"{escape(c.name)} × {c.weight:g}</span>"
        for c in target.components
    )
    return f'<p class="legend">{spans}</p>'


def _ranking_note(report: ImpactReport) -> str:
    listed = len(report.targets)
    if report.truncated:
        return f"The first {listed} of {report.totals.affected} affected, most urgent first."
    return f"All {listed} affected, most urgent first."


def _badge(report: ImpactReport, target: RankedTarget) -> str:
    return (
        f'<span class="badge {tier_class(report, target.tier)}" '
        f'title="{escape(target.tier_label)}">{escape(target.tier)}</span>'
    )


def _bar(target: RankedTarget) -> str:
    segments = "".join(
        f'<i style="width:{100 * c.contribution:.1f}%;background:{component_colour(c.name)}" '
        f'title="{escape(c.name)} +{c.contribution:.3f}"></i>'
        for c in target.components
        if c.contribution > 0
    )
    return f'<div class="bar">{segments}</div>'


def _table(report: ImpactReport) -> str:
    if not report.targets:
        return "<p>Nothing is affected.</p>"
    rows = []
    for t in report.targets:
        name = escape(t.label)
        if t.rank <= DETAILED_ROWS:
            name = f'<a href="#why-{t.rank}">{name}</a>'
        buffer = "no SLA" if t.sla_buffer_days is None else days(t.sla_buffer_days)
        buffer = buffer if reads(report, "sla") else NOT_READ
        complaints = str(t.complaints) if reads(report, "complaints") else NOT_READ
        exposure = amount(report, t.exposure) if reads(report, "exposure") else NOT_READ
        actions = "".join(f"<li>{escape(a)}</li>" for a in t.actions) or "<li>—</li>"
        rows.append(
            f"<tr><td class=num>{t.rank}</td><td>{_badge(report, t)}</td>"
            f"<td>{name}<span class=id>{escape(t.target)}</span></td>"
            f"<td class=num>{t.score:.3f}{_bar(t)}</td>"
            f'<td class="num{" breach" if t.breach_predicted else ""}">{escape(buffer)}</td>'
            f"<td class=num>{complaints}</td>"
            f"<td class=num>{escape(exposure)}</td>"
            f'<td><ul class="actions">{actions}</ul></td></tr>'
        )
    more = ""
    if report.truncated:
        hidden = report.totals.affected - len(report.targets)
        more = f"<p class=note>… and {hidden} more affected, not listed.</p>"
    return (
        '<div class="scroll"><table><thead><tr><th class=num>#</th><th>tier</th>'
        f"<th>{escape(target_noun(report))}</th><th class=num>score</th>"
        "<th class=num>SLA buffer (d)</th><th class=num>complaints</th>"
        "<th class=num>exposure</th><th>actions</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>{more}"
    )


def _why(report: ImpactReport, t: RankedTarget) -> str:
    facts = [("Rule", escape(t.tier_rule))]
    if t.tier_formula:
        facts.append(("Formula", f"<code>{escape(t.tier_formula)}</code>"))
    if not reads(report, "sla"):
        pass  # the policy reads no SLA: nothing to say about one
    elif t.sla_deadline is not None:
        entity = f" ({escape(t.sla_entity)})" if t.sla_entity else ""
        facts.append(
            (
                "SLA",
                f"deadline {escape(when(t.sla_deadline))}{entity}, "
                f"buffer {escape(days(t.sla_buffer_days))} days",
            )
        )
    else:
        facts.append(("SLA", "none found on the policy's path"))
    components = "".join(
        f"<tr><td>{escape(c.name)}</td><td class=num>{c.value:.3f} × {c.weight:g}</td>"
        f"<td class=num><b>+{c.contribution:.3f}</b></td><td>{escape(c.reason)}</td></tr>"
        for c in t.components
    )
    facts.append((f"Score {t.score:.3f}", f"<table>{components}</table>"))
    paths = "<ol>" + "".join(f"<li>{escape(path_text(report, p))}</li>" for p in t.paths)
    paths += "</ol>"
    hidden = t.path_count - len(t.paths)
    if hidden > 0:
        paths += f"<p class=note>… and {hidden} more, not shown</p>"
    facts.append((f"Paths ({t.path_count})", paths))
    actions = "".join(f"<li>{escape(a)}</li>" for a in t.actions)
    facts.append(("Actions", f"<ol>{actions}</ol>" if actions else "none planned"))
    listed = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    return (
        f'<details id="why-{t.rank}"{" open" if t.rank <= OPEN_DETAILS else ""}><summary>'
        f"<b>{t.rank}. {escape(t.label)}</b> {_badge(report, t)} "
        f"<small>{escape(t.target)} · {escape(t.explanation)}</small></summary>"
        f'<dl class="why">{listed}</dl></details>'
    )


def _footer(report: ImpactReport) -> str:
    return (
        '<footer class="wrap">graph-crm impact report · policy '
        f"{escape(policy_text(report))} (registry version {report.registry_version}) · "
        "computed as of "
        f"{escape(when(report.as_of))}; a what-if run reads the data and writes nothing. "
        "Scores use fixed reference points, so adding an affected customer never reorders "
        "the others.</footer>"
    )
