"""The HTML report's stylesheet: screen, narrow screens and print (no fonts or images)."""

from __future__ import annotations

from typing import Final

from graph_crm.impact.render.html_svg import TIER_COLOURS

_INK: Final = "#1d2329"
_MUTED: Final = "#56626c"  # 5.6:1 on white, 5.3:1 on the table header
_BRAND: Final = "#14324a"

_BASE: Final = f"""
*{{box-sizing:border-box}}
body{{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",
"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
color:{_INK};background:#f3f5f7}}
.wrap{{max-width:1140px;margin:0 auto;padding:0 24px}}
header{{background:{_BRAND};color:#fff;padding:18px 0 16px}}
.eyebrow{{margin:0;font-size:12px;letter-spacing:.06em;text-transform:uppercase;color:#a9bfd2}}
h1{{margin:4px 0 6px;font-size:24px;font-weight:650;line-height:1.25}}
.lede{{margin:0 0 12px;color:#d5e0ea;max-width:90ch}}
.facts{{display:flex;flex-wrap:wrap;gap:6px 32px;margin:0}}
.facts dt{{font-size:11px;text-transform:uppercase;letter-spacing:.05em;color:#a9bfd2}}
.facts dd{{margin:0;font-weight:600}}
main.wrap{{padding-top:20px;padding-bottom:24px}}
.kpis{{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;
margin:0 0 18px}}
.kpi{{min-width:0;overflow-wrap:anywhere;background:#fff;border:1px solid #dde3e9;
border-top:4px solid {_BRAND};border-radius:8px;padding:10px 14px}}
.kpi b{{display:block;font-size:26px;line-height:1.2;font-variant-numeric:tabular-nums}}
.kpi span{{display:block;font-size:13px;font-weight:600}}
.kpi small{{display:block;color:{_MUTED};font-size:12px}}
section{{background:#fff;border:1px solid #dde3e9;border-radius:8px;padding:16px 20px;
margin:0 0 18px}}
h2{{font-size:17px;margin:0 0 2px}}
.note{{margin:0 0 10px;color:{_MUTED};font-size:12px}}
.scroll{{overflow-x:auto}}
svg{{display:block;max-width:100%;height:auto}}
.scroll svg{{max-width:none}}
table{{border-collapse:collapse;width:100%}}
th,td{{padding:6px 8px;border-bottom:1px solid #edf0f3;text-align:left;vertical-align:top}}
thead th{{position:sticky;top:0;background:#f8fafb;font-size:12px;color:{_MUTED};
font-weight:600;border-bottom:1px solid #dde3e9}}
tbody tr:hover{{background:#f8fafb}}
.num{{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}}
td.breach{{color:#b3261e;font-weight:600}}
.badge{{display:inline-block;min-width:30px;padding:1px 7px;border-radius:10px;
background:{TIER_COLOURS[-1]};color:#fff;font-weight:600;font-size:12px;text-align:center;
white-space:nowrap}}
.id{{display:block;color:{_MUTED};font-size:12px;overflow-wrap:anywhere}}
td a{{color:inherit;text-decoration:none}}
td a:hover{{text-decoration:underline}}
.bar{{display:flex;height:8px;width:120px;margin:4px 0 0 auto;background:#edf0f3;
border-radius:2px;overflow:hidden}}
.bar i{{display:block;height:100%}}
ul.actions{{margin:0;padding-left:16px;font-size:12px;line-height:1.35}}
.legend{{margin:0 0 8px;font-size:12px}}
.legend span{{display:inline-block;margin-right:18px}}
.sw{{display:inline-block;width:11px;height:11px;margin-right:5px;border-radius:2px;
vertical-align:-1px}}
svg text{{font-size:12px;fill:{_INK}}}
svg .axis{{text-anchor:middle;fill:{_MUTED};font-size:11px}}
svg .grid{{stroke:#e3e7eb}}
svg .zero{{stroke:{_MUTED}}}
svg .seg{{font-size:10px;text-anchor:middle}}
svg .seg.on-dark{{fill:#fff}}
svg .days{{text-anchor:end;font-variant-numeric:tabular-nums}}
svg .over{{fill:{TIER_COLOURS[0]}}}
svg .slack{{fill:{TIER_COLOURS[2]}}}
svg .score{{font-weight:600}}
svg .colhead,svg .more{{fill:{_MUTED};font-size:11px;font-weight:600}}
svg .edge{{fill:none;stroke:#9aa7b3;stroke-width:1.5;stroke-opacity:.7}}
svg .node rect{{fill:#eef2f5;stroke:#b6c1cb}}
svg .node.src rect{{fill:{_BRAND};stroke:{_BRAND}}}
svg .node.src text{{fill:#fff;font-weight:600}}
details{{border-top:1px solid #edf0f3;padding:8px 0}}
summary{{cursor:pointer}}
summary small{{color:{_MUTED}}}
.why{{display:grid;grid-template-columns:100px 1fr;gap:6px 14px;margin:8px 0 4px 18px}}
.why dt{{color:{_MUTED};font-size:12px;padding-top:1px}}
.why dd{{margin:0;min-width:0}}
.why table{{width:auto}}
.why td{{padding:1px 12px 1px 0;border:0}}
.why ol{{margin:0;padding-left:18px}}
footer{{color:{_MUTED};font-size:12px;text-align:center;padding-bottom:24px}}
@media (max-width:700px){{.why{{grid-template-columns:1fr}}h1{{font-size:20px}}}}
"""

_PRINT: Final = """
@media print{
@page{size:landscape;margin:10mm}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{background:#fff;font-size:11px}
.wrap{max-width:none;padding:0}
header{padding:8px 12px;border-radius:6px}
h1{font-size:20px;margin:2px 0 4px}
.lede{margin-bottom:6px}
main.wrap{padding-top:8px}
section,.kpi{border-color:#ccc}
section{padding:8px 12px;margin-bottom:8px}
.kpis{grid-template-columns:none;grid-auto-flow:column;grid-auto-columns:minmax(0,1fr);
gap:8px;margin-bottom:8px}
.kpi{padding:5px 9px}
.kpi{container-type:inline-size}
.kpi b{font-size:min(19px,14cqi)}
.kpi span{font-size:12px;line-height:1.3}
.kpi small{font-size:10px}
.fig,.kpis,details,tr{break-inside:avoid}
h2,.note,.legend{break-after:avoid}
.scroll{overflow:visible}
.scroll svg{width:auto;height:auto;max-width:100%}
.chart{max-height:95mm}
.paths{max-height:165mm}
thead{display:table-header-group}
thead th{position:static}
th,td{padding:4px 6px}
ul.actions{font-size:10px;line-height:1.3}
.scroll>table{table-layout:fixed}
.scroll>table th{width:7%;font-size:10px}
.scroll>table th:first-child{width:4%}
.scroll>table th:nth-child(2){width:5%}
.scroll>table th:nth-child(3){width:22%}
.scroll>table th:nth-child(4){width:11%}
.scroll>table th:nth-child(6){width:9%}
.scroll>table th:nth-child(7){width:10%}
.scroll>table th:last-child{width:32%}
.scroll>table :is(th,td){white-space:normal;overflow-wrap:break-word}
.bar{width:auto;max-width:120px}
summary{list-style:none}
details{padding:5px 0}
.why{gap:2px 14px;margin:4px 0 2px 18px}
footer{break-before:avoid;padding-bottom:0}
}
@media print{details::details-content{content-visibility:visible;display:block}}
"""


def _tier_rules() -> str:
    """Colours by tier position (t0, t1...): report text never reaches the stylesheet."""
    return "".join(
        f".badge.t{i}{{background:{c}}}.kpi.t{i}{{border-top-color:{c}}}"
        f"svg .dot.t{i}{{fill:{c}}}svg .edge.t{i}{{stroke:{c}}}"
        f"svg .node.t{i} rect{{fill:{c};stroke:{c}}}svg .node.t{i} text{{fill:#fff}}"
        for i, c in enumerate(TIER_COLOURS)
    )


#: The whole stylesheet. ``::details-content`` (opening closed sections on paper) has
#: its own rule: a browser without it drops only that rule.
STYLESHEET: Final = _BASE + _tier_rules() + "\n" + _PRINT
