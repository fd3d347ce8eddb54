"""The report as one self-contained HTML file: no scripts, fonts or fetches, prints well."""

from __future__ import annotations

from html import escape
from typing import Final

from graph_crm.impact.render.shape import amount, days, path_text, when
from graph_crm.impact.render.svg import COMPONENT_COLOURS, component_chart, path_picture
from graph_crm.impact.render.text import headline
from graph_crm.impact.report import ImpactReport, RankedTarget

#: Tier colours in policy order (most urgent first); later tiers reuse the last.
TIER_COLOURS: Final = ("#b3261e", "#c77700", "#2f6f9f", "#5f6b73")
CHART_ROWS: Final = 20
PICTURE_TARGETS: Final = 8
DETAILED_ROWS: Final = 50

_CSS: Final = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Noto Sans","PingFang SC",
"Microsoft YaHei",sans-serif;color:#1d2329;background:#f4f6f8}
header{background:#15324b;color:#fff;padding:22px 32px}
header h1{margin:0 0 4px;font-size:22px;font-weight:600}
header p{margin:2px 0;color:#c9d6e2}
main{max-width:1180px;margin:0 auto;padding:20px 32px 40px}
section{background:#fff;border:1px solid #dfe4ea;border-radius:8px;padding:16px 20px;
margin:0 0 18px}
h2{font-size:16px;margin:0 0 12px}
.kpis{display:flex;flex-wrap:wrap;gap:12px;margin:0 0 18px}
.kpi{flex:1 1 150px;background:#fff;border:1px solid #dfe4ea;border-radius:8px;
padding:12px 16px}
.kpi b{display:block;font-size:26px}
.kpi span{color:#5f6b73;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;width:100%}
th,td{padding:6px 8px;border-bottom:1px solid #edf0f3;text-align:left;vertical-align:top}
th{font-size:12px;color:#5f6b73;font-weight:600;background:#f8fafb}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;min-width:28px;padding:1px 7px;border-radius:10px;color:#fff;
font-weight:600;font-size:12px;text-align:center}
.id{color:#5f6b73;font-size:12px}
.bar{display:flex;height:9px;width:120px;background:#edf0f3;border-radius:2px;
overflow:hidden;margin-top:3px}
ul.actions{margin:0;padding-left:16px;font-size:12px;line-height:1.35}
.legend span{display:inline-block;margin-right:16px;font-size:12px}
.legend i{display:inline-block;width:11px;height:11px;margin-right:5px;border-radius:2px;
vertical-align:-1px}
svg text{font-size:12px;fill:#1d2329}
svg .name{text-anchor:end}
svg .axis{text-anchor:middle;fill:#5f6b73;font-size:11px}
svg .grid{stroke:#e3e7eb}
svg .score{font-weight:600}
svg .edge{fill:none;stroke:#9aa7b3;stroke-width:1.4}
svg .node rect{fill:#eef2f5;stroke:#9aa7b3}
svg .node.source rect{fill:#15324b;stroke:#15324b}
svg .node.source text{fill:#fff}
details{border-top:1px solid #edf0f3;padding:6px 0}
summary{cursor:pointer;font-weight:600}
details p,details ul{margin:6px 0 6px 18px}
footer{color:#5f6b73;font-size:12px;text-align:center;padding:10px}
@media print{body{background:#fff}section,.kpi{break-inside:avoid;border-color:#ccc}
header{-webkit-print-color-adjust:exact;print-color-adjust:exact}
details{display:block}details>*{display:block}}
"""


def _tier_css(report: ImpactReport) -> str:
    rules = []
    for i, tier in enumerate(report.tiers):
        colour = TIER_COLOURS[min(i, len(TIER_COLOURS) - 1)]
        rules.append(
            f".t-{tier.tier}{{background:{colour}}}"
            f"svg .node.tier-{tier.tier} rect{{fill:{colour};stroke:{colour}}}"
            f"svg .node.tier-{tier.tier} text{{fill:#fff}}"
        )
    return "".join(rules)


def render_html(report: ImpactReport) -> str:
    title = headline(report)
    top = report.targets
    body = [
        f"<header><h1>{escape(title)}</h1>",
        f"<p>Policy <b>{escape(report.policy)}</b> (version {report.policy_version})"
        + (f" — {escape(report.policy_description)}" if report.policy_description else "")
        + "</p>",
        f"<p>As of {escape(when(report.as_of))} · a what-if: computing it changed no data"
        "</p></header><main>",
        _kpis(report),
        _section(
            f"Score components — top {min(len(top), CHART_ROWS)}",
            _legend(top) + component_chart(top[:CHART_ROWS]),
        )
        if top
        else "",
        _section(
            f"How the disruption reaches the top {min(len(top), PICTURE_TARGETS)}",
            path_picture(report, top[:PICTURE_TARGETS]),
        )
        if top
        else "",
        _section("Ranking", _table(report)),
        _section("Why each ranks where it does", _details(report)) if top else "",
        "</main><footer>graph-crm impact report · tiers first, then score; ties by id · "
        "scores use fixed reference points, so adding a customer never reorders the others"
        "</footer>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}{_tier_css(report)}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def _section(title: str, content: str) -> str:
    return f"<section><h2>{escape(title)}</h2>{content}</section>"


def _kpis(report: ImpactReport) -> str:
    totals = report.totals
    cards = [
        (str(totals.affected), "affected"),
        (str(totals.predicted_breaches), "predicted SLA breaches"),
        (amount(totals.exposure_at_risk), "exposure at risk"),
    ]
    cards += [
        (str(totals.by_tier.get(tier.tier, 0)), f"{tier.tier} · {tier.label}")
        for tier in report.tiers
    ]
    items = "".join(
        f"<div class=kpi><b>{escape(v)}</b><span>{escape(k)}</span></div>" for v, k in cards
    )
    return f'<div class="kpis">{items}</div>'


def _legend(targets: tuple[RankedTarget, ...]) -> str:
    if not targets:
        return ""
    spans = "".join(
        f'<span><i style="background:{COMPONENT_COLOURS.get(c.name, "#888")}"></i>'
        f"{escape(c.name)} (weight {c.weight:g})</span>"
        for c in targets[0].components
    )
    return f'<p class="legend">{spans}</p>'


def _bar(target: RankedTarget) -> str:
    segments = "".join(
        f'<i style="width:{100 * c.contribution:.1f}%;background:'
        f'{COMPONENT_COLOURS.get(c.name, "#888")}" title="{escape(c.name)} +{c.contribution:.3f}">'
        "</i>"
        for c in target.components
        if c.contribution > 0
    )
    return f'<div class="bar">{segments}</div>'


def _badge(tier: str) -> str:
    return f'<span class="badge t-{escape(tier)}">{escape(tier)}</span>'


def _table(report: ImpactReport) -> str:
    if not report.targets:
        return "<p>Nothing is affected.</p>"
    rows = []
    for t in report.targets:
        actions = "".join(f"<li>{escape(a)}</li>" for a in t.actions)
        rows.append(
            f"<tr><td class=num>{t.rank}</td><td>{_badge(t.tier)}</td>"
            f"<td>{escape(t.label)}<br><span class=id>{escape(t.target)}</span></td>"
            f"<td class=num>{t.score:.3f}{_bar(t)}</td>"
            f"<td class=num>{escape(days(t.sla_buffer_days))}</td>"
            f"<td class=num>{t.complaints}</td><td class=num>{escape(amount(t.exposure))}</td>"
            f'<td><ul class="actions">{actions}</ul></td></tr>'
        )
    more = ""
    if report.truncated:
        more = f"<p>… and {report.totals.affected - len(report.targets)} more not listed.</p>"
    return (
        "<table><thead><tr><th class=num>#</th><th>tier</th><th>customer</th>"
        "<th class=num>score</th><th class=num>SLA buffer (d)</th>"
        "<th class=num>complaints</th><th class=num>exposure</th><th>actions</th></tr>"
        f"</thead><tbody>{''.join(rows)}</tbody></table>{more}"
    )


def _details(report: ImpactReport) -> str:
    blocks = []
    for t in report.targets[:DETAILED_ROWS]:
        components = "".join(
            f"<li>{escape(c.name)}: {escape(c.reason)} — value {c.value:.3f} × weight "
            f"{c.weight:g} = <b>+{c.contribution:.3f}</b></li>"
            for c in t.components
        )
        paths = "".join(f"<li>{escape(path_text(report, p))}</li>" for p in t.paths)
        if t.path_count > len(t.paths):
            paths += f"<li>… {t.path_count - len(t.paths)} more</li>"
        deadline = ""
        if t.sla_deadline is not None:
            deadline = (
                f"<p>SLA deadline {escape(when(t.sla_deadline))} "
                f"({escape(t.sla_entity or '')}), buffer {escape(days(t.sla_buffer_days))} days</p>"
            )
        blocks.append(
            f"<details{' open' if t.rank <= 3 else ''}><summary>{t.rank}. {escape(t.label)} "
            f"{_badge(t.tier)} {escape(t.tier_rule)}</summary>{deadline}"
            f"<ul>{components}</ul><p>Paths ({t.path_count}):</p><ul>{paths}</ul>"
            f"<p>Actions:</p><ul>{''.join(f'<li>{escape(a)}</li>' for a in t.actions)}</ul>"
            "</details>"
        )
    return "".join(blocks)
