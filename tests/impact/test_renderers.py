"""Every report format, on a hand-made report with awkward labels."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.impact.render import FORMATS, render, report_to_json
from graph_crm.impact.render.display import width
from graph_crm.impact.report import Component, ImpactReport, RankedTarget, TierInfo, Totals

HOSTILE = '<script>alert(1)</script> "Acme" | =cmd'
W = "Warehouse:RTM-02"


def _target(rank: int, key: str, tier: str, score: float, **extra: object) -> RankedTarget:
    target = f"Customer:{key}"
    fields: dict[str, object] = {
        "rank": rank,
        "target": target,
        "label": key,
        "tier": tier,
        "tier_label": {"T1": "Breach predicted", "T2": "Close", "T3": "No breach"}[tier],
        "tier_rule": f"rule for {tier} in words",
        "tier_formula": f"formula for {tier}",
        "score": score,
        "components": (
            Component("urgency", 1.0, 0.5, 0.5, "delay 6d >= buffer 2d"),
            Component("exposure", 0.5, 0.3, 0.15, "CNY 412k in 3 Shipments"),
            Component("complaints", 0.25, 0.2, 0.05, "1 complaint in 90d"),
        ),
        "sla_buffer_days": 2.0,
        "sla_deadline": datetime(2026, 11, 25, 9, tzinfo=UTC),
        "sla_entity": "Contract:K1",
        "breach_predicted": tier == "T1",
        "complaints": 1,
        "exposure": 412_000.0,
        "exposure_entities": 3,
        "path_count": 4,
        "paths": ((W, "Shipment:S1", target), (W, "Shipment:S2", target)),
        "actions": ("Call today", "=HYPERLINK(evil)"),
        "explanation": f"{tier}: delay 6d >= buffer 2d (+0.50)",
    }
    fields.update(extra)
    return RankedTarget(**fields)  # type: ignore[arg-type]


def report(truncated: bool = True, **changes: Any) -> ImpactReport:
    targets = (
        _target(1, "EVIL", "T1", 0.7, label=HOSTILE),
        _target(2, "SH-ACME", "T1", 0.6, label="上海阿克米贸易有限公司"),
        _target(
            3,
            "NOSLA",
            "T3",
            0.1,
            sla_buffer_days=None,
            sla_deadline=None,
            sla_entity=None,
            breach_predicted=False,
            actions=(),
        ),
    )
    labels = {
        W: "Rotterdam",
        "Customer:EVIL": HOSTILE,
        "Customer:SH-ACME": "上海阿克米贸易有限公司",
    }
    made = ImpactReport(
        policy="customs-delay",
        registry_version=19,
        policy_revision=2,
        currency="CNY",
        source=W,
        source_label="Rotterdam",
        delay_days=6.0,
        as_of=datetime(2026, 11, 23, 9, tzinfo=UTC),
        targets=targets,
        totals=Totals(5, 1_236_000.0, 2, {"T1": 2, "T2": 0, "T3": 3}),
        truncated=truncated,
        policy_description="Customs hold <b>",
        tiers=(
            TierInfo("T1", "Breach predicted", "the delay meets or exceeds the buffer", "gap >= 0"),
            TierInfo("T2", "Close", "the delay comes within 3 days", "gap >= -3"),
            TierInfo("T3", "No breach", "in every other case", "otherwise"),
        ),
        labels=labels,
    )
    return replace(made, **changes)


def test_table() -> None:
    text = render(report(), "table")
    assert text.startswith(
        "Impact of a 6-day delay at Warehouse RTM-02 (Rotterdam)\nAs of 2026-11-23 09:00 UTC\n"
        "Policy customs-delay rev 2 · Customs hold <b>\n"
    )
    assert "5 affected · 2 predicted SLA breaches · CNY 1.24M exposure at risk" in text
    ranks = re.findall(r"^ +(\d) +T\d", text, flags=re.MULTILINE)
    assert ranks == ["1", "2", "3"]
    assert "… and 2 more affected, not listed" in text
    assert "via Warehouse RTM-02 (Rotterdam) → Shipment S1 → Customer SH-ACME" in text
    assert "T1 Breach predicted: 2 — the delay meets or exceeds the buffer\n" in text
    assert "T3 No breach: 3 — in every other case\n" in text
    assert "gap >= 0" not in text  # the formula is for the "why" details
    assert re.search(r" CNY 412k  Call today", text)
    assert " no SLA " in text  # rank 3 has no deadline
    assert max(width(line) for line in text.splitlines()) <= 110


def test_markdown() -> None:
    text = render(report(), "md")
    table = [line for line in text.splitlines() if re.match(r"^\| \d", line)]
    assert len(table) == 3
    assert all(line.count(" | ") == 10 for line in table)  # a | in a label is escaped
    assert "\\<script\\>" in text
    assert "<script>" not in text
    assert text.startswith(
        "# Impact of a 6-day delay at Warehouse RTM-02 (Rotterdam)\n\n"
        "**As of 2026-11-23 09:00 UTC**\n\nPolicy **customs-delay rev 2**"
    )
    assert "- **CNY 1.24M** exposure at risk" in text
    assert "- T2 Close: **0** (the delay comes within 3 days)" in text
    assert "- **Rule:** rule for T1 in words\n- **Formula:** formula for T1\n" in text
    assert "| CNY 412k |" in text


def test_csv() -> None:
    rows = list(csv.DictReader(io.StringIO(render(report(), "csv"))))
    assert list(rows[0])[:5] == ["asOf", "rank", "target", "label", "tier"]
    assert {row["asOf"] for row in rows} == {"2026-11-23T09:00:00Z"}
    assert [row["rank"] for row in rows] == ["1", "2", "3"]
    assert rows[0]["label"] == HOSTILE  # starts with "<": kept as is
    assert rows[0]["actions"] == "Call today; =HYPERLINK(evil)"  # not at the start of the cell
    assert rows[2]["slaBufferDays"] == ""  # no SLA, no buffer
    assert (rows[0]["exposure"], rows[0]["currency"]) == ("412000.0", "CNY")
    assert (rows[0]["tierRule"], rows[0]["tierFormula"]) == (
        "rule for T1 in words",
        "formula for T1",
    )


def test_csv_cells_cannot_become_formulas() -> None:
    evil = replace(report().targets[0], label="=1+1", actions=("@SUM(A1)",))
    text = render(replace(report(), targets=(evil,)), "csv")
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["label"], row["actions"]) == ("'=1+1", "'@SUM(A1)")


def test_json_round_trips() -> None:
    data = json.loads(render(report(), "json"))
    assert data == report_to_json(report())
    assert list(data)[:2] == ["asOf", "asOfIsNow"]  # first, where it is seen
    assert (data["asOf"], data["asOfIsNow"]) == ("2026-11-23T09:00:00Z", False)
    assert (data["policyRevision"], data["registryVersion"]) == (2, 19)
    assert "policyVersion" not in data
    assert (data["currency"], data["signals"]) == ("CNY", ["sla", "exposure", "complaints"])
    assert data["tiers"][0] == {
        "tier": "T1",
        "label": "Breach predicted",
        "rule": "the delay meets or exceeds the buffer",
        "formula": "gap >= 0",
    }
    assert data["targets"][0]["tierFormula"] == "formula for T1"
    assert data["targets"][0]["label"] == HOSTILE
    assert data["targets"][2]["slaBufferDays"] is None
    assert data["totals"]["byTier"] == {"T1": 2, "T2": 0, "T3": 3}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.scripts += tag == "script"
        for name, value in attrs:
            assert not (name in ("src", "href") and value and "//" in value), (tag, name, value)


def test_html_is_self_contained_and_escaped() -> None:
    page = render(report(), "html")
    checker = _Checker()
    checker.feed(page)
    assert checker.scripts == 0
    assert checker.tags.count("svg") == 2
    assert page.count("<tr><td class=num>") == 3
    assert "url(" not in page
    assert "@import" not in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert "Customs hold &lt;b&gt;" in page
    assert "上海阿克米贸易有限公司" in page
    assert "… and 2 more affected, not listed" in page
    # tiers colour by their position in the policy, never by report text
    assert page.count('class="badge t0"') == 2 * 2  # ranking + why, for both T1 rows
    assert page.count('class="badge t2"') == 2
    assert page.count('class="num breach"') == 2
    assert [f'id="why-{rank}"' in page for rank in (1, 2, 3)] == [True] * 3
    assert page.count('href="#why-') == 3
    assert "no SLA" in page
    assert "<title>Impact of a 6-day delay at Warehouse RTM-02 (Rotterdam) — As of 2026-11-23" in (
        page
    )
    assert '<dl class="facts"><div><dt>As of</dt><dd>2026-11-23 09:00 UTC</dd></div>' in page
    assert "<dd>customs-delay rev 2</dd>" in page
    assert "policy customs-delay rev 2 (registry version 19)" in page
    assert "<b>1.24M</b><span>exposure at risk (CNY)</span>" in page  # the card's caption
    assert "<small>the delay comes within 3 days</small>" in page  # the T2 card: in words
    assert "<td class=num>CNY 412k</td>" in page
    assert "<dt>Formula</dt><dd><code>formula for T1</code></dd>" in page


@pytest.mark.parametrize("fmt", FORMATS)
def test_deterministic(fmt: str) -> None:
    assert render(report(), fmt) == render(report(), fmt)


def test_unknown_format() -> None:
    with pytest.raises(InvalidInput) as caught:
        render(report(), "pdf")
    assert caught.value.path == ("format",)
