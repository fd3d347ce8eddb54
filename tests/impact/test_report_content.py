"""What a report says, in every format, from a real policy: the as-of time first, the
policy's revision, the currency with every amount, and only the signals the policy reads."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from graph_crm.impact.plan import ImpactRow
from graph_crm.impact.policy import compile_policy
from graph_crm.impact.rank import build_report
from graph_crm.impact.render import FORMATS, render
from graph_crm.impact.report import ImpactReport
from tests.contract.logistics import customs_policy
from tests.impact.registry import logistics_registry

AS_OF = datetime(2026, 3, 10, 12, tzinfo=UTC)
SOURCE = "Warehouse:W1"


def _rows() -> list[ImpactRow]:
    def row(key: str, hours: int, complaints: int, exposure: float) -> ImpactRow:
        target = f"Customer:{key}"
        return ImpactRow(
            target=target,
            paths=((SOURCE, f"Shipment:S{key}", target),),
            path_count=1,
            sla_deadline=AS_OF + timedelta(hours=hours),
            sla_entity=f"Contract:K{key}",
            complaints=complaints,
            exposure=exposure,
            exposure_entities=2,
        )

    return [row("A", 24, 3, 412_300.0), row("B", 24 * 20, 0, 2_500.0)]


def _report(policy: dict[str, Any], delay: float = 3.0) -> ImpactReport:
    compiled = compile_policy(logistics_registry(), policy)
    return build_report(compiled, _rows(), source=SOURCE, delay_days=delay, as_of=AS_OF, limit=10)


def _without_complaints() -> dict[str, Any]:
    policy = customs_policy()
    del policy["signals"]["complaints"]
    policy["plans"] = [p for p in policy["plans"] if "complaints" not in p["when"]]
    return policy  # its weights still give complaints 0.2: it reads none, so they count 0


def _with_currency(currency: str = "CNY") -> dict[str, Any]:
    policy = customs_policy()
    policy["signals"]["exposure"]["currency"] = currency
    return policy


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_as_of_time_comes_first_in_every_format(fmt: str) -> None:
    text = render(_report(customs_policy()), fmt)
    head = text[: text.index("2026-03-10") + 40]
    expected = {
        "table": "\nAs of 2026-03-10 12:00 UTC\n",
        "md": "\n**As of 2026-03-10 12:00 UTC**\n",
        "csv": "\n2026-03-10T12:00:00Z,1,",
        "json": '{\n  "asOf": "2026-03-10T12:00:00Z",',
        "html": "— As of 2026-03-10 12:00 UTC</title>",
    }[fmt]
    assert expected in head


def test_a_report_run_as_of_now_says_so() -> None:
    now = replace(_report(customs_policy()), as_of_is_now=True)
    assert "\nAs of 2026-03-10 12:00 UTC (now: no as-of time was given)\n" in render(now, "table")
    assert json.loads(render(now, "json"))["asOfIsNow"] is True


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_signal_the_policy_does_not_read_is_neither_explained_nor_shown(fmt: str) -> None:
    report = _report(_without_complaints())
    assert report.signals == ("sla", "exposure")
    for target in report.targets:
        assert [c.name for c in target.components] == ["urgency", "exposure"]
        assert "complaint" not in target.explanation
    text = render(report, fmt)
    assert "complaints in" not in text
    assert "0 complaints" not in text
    if fmt == "table":
        assert re.search(r" 1\.000 +1\.0 +— +412k  Call", text)  # the compl. column
    elif fmt == "md":
        assert "| 0.000 | — |" not in text
        assert text.count("| — |") >= 2  # +complaints and complaints, per row
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {(row["complaints"], row["complaintsScore"]) for row in rows} == {("", "")}
    elif fmt == "json":
        data = json.loads(text)
        assert data["signals"] == ["sla", "exposure"]
        assert all(len(t["components"]) == 2 for t in data["targets"])
    else:
        assert "<td>complaints</td>" not in text  # no row in the "why" score tables
    # the same policy reading complaints does show them
    shown = "3" if fmt == "csv" else "3 complaints in 7d"  # a CSV has no reasons
    assert shown in render(_report(customs_policy()), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_amount_carries_the_policys_currency(fmt: str) -> None:
    report = _report(_with_currency())
    assert report.currency == "CNY"
    assert report.targets[0].explanation.split("; ")[1].startswith("CNY 412k in 2 Shipments")
    text = render(report, fmt)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [(row["exposure"], row["currency"]) for row in rows] == [
            ("412300.0", "CNY"),
            ("2500.0", "CNY"),
        ]
    elif fmt == "json":
        data = json.loads(text)
        assert data["currency"] == "CNY"
        assert data["targets"][0]["explanation"].count("CNY 412k") == 1
    else:
        total = "<b>415k</b><span>exposure at risk (CNY)" if fmt == "html" else "CNY 415k"
        for shown in (total, "CNY 412k", "CNY 2.5k"):  # the total and each row
            assert shown in text, shown
        assert not re.search(r"(?<!CNY )\b412k", text)  # no amount without it


@pytest.mark.parametrize("fmt", FORMATS)
def test_without_a_currency_none_is_made_up(fmt: str) -> None:
    report = _report(customs_policy())
    assert report.currency is None
    text = render(report, fmt)
    assert "CNY" not in text
    assert "412k" in text or "412300" in text
    if fmt == "json":
        assert json.loads(text)["currency"] is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_policy_shows_its_revision_not_the_registry_version(fmt: str) -> None:
    report = replace(_report(customs_policy()), policy_revision=2, registry_version=19)
    text = render(report, fmt)
    if fmt == "json":
        data = json.loads(text)
        assert (data["policyRevision"], data["registryVersion"]) == (2, 19)
    elif fmt != "csv":  # a CSV has one row per target and no header for the report
        assert "customs-delay rev 2" in text
        assert "v19" not in text
        assert "version 2" not in text


@pytest.mark.parametrize("fmt", ["table", "md", "html"])
def test_tier_rules_read_as_words_and_the_formula_stays_in_the_details(fmt: str) -> None:
    text = render(_report(customs_policy()), fmt)
    assert "the delay meets or exceeds the SLA buffer" in text
    assert "the delay comes within 3 days of the SLA buffer or exceeds it" in text
    if fmt == "table":
        assert "gapDays" not in text
    else:  # the "why" details keep the formula, with its values
        assert re.search(r"gapDays (\\>|&gt;)= 0 \(gapDays \d", text)


def test_no_delay_asks_who_the_source_reaches() -> None:
    text = render(_report(customs_policy(), delay=0), "table")
    assert text.startswith("Who a disruption at Warehouse W1 reaches (no delay given)\n")


def test_weights_are_relative_over_the_signals_read_and_scores_reach_1() -> None:
    report = _report(_without_complaints())
    top = report.targets[0]
    assert [c.weight for c in top.components] == [0.625, 0.375]  # 0.5 : 0.3
    assert top.score == pytest.approx(0.625 + 0.375 * top.components[1].value)
    policy = compile_policy(logistics_registry(), _without_complaints())
    assert policy.definition["scoring"]["weights"] == {
        "urgency": 0.625,
        "exposure": 0.375,
        "complaints": 0.0,
    }  # the stored form says what applies


def test_without_weights_each_signal_read_weighs_the_same() -> None:
    policy = customs_policy()
    del policy["scoring"]["weights"]
    compiled = compile_policy(logistics_registry(), policy)
    weights = (compiled.scoring.urgency, compiled.scoring.exposure, compiled.scoring.complaints)
    assert weights == (0.333333, 0.333333, 0.333333)
    # the normal form is a fixed point: stored and read back, it does not change
    assert compile_policy(logistics_registry(), compiled.definition).definition == (
        compiled.definition
    )


def test_exposure_reference_is_needed_only_where_exposure_weighs() -> None:
    policy = customs_policy()
    del policy["scoring"]["exposureReference"]
    policy["scoring"]["weights"] = {"urgency": 2, "complaints": 1}  # exposure left out: 0
    compiled = compile_policy(logistics_registry(), policy)
    assert compiled.scoring.exposure_reference is None
    top = build_report(compiled, _rows(), source=SOURCE, delay_days=3, as_of=AS_OF, limit=1)
    exposure = top.targets[0].components[1]
    assert (exposure.name, exposure.weight, exposure.contribution) == ("exposure", 0.0, 0.0)
    assert "412k" not in top.targets[0].explanation  # it weighs nothing: not a reason
    bare = customs_policy(signals={}, scoring={})  # reads nothing: needs no scoring at all
    assert compile_policy(logistics_registry(), bare).scoring.urgency == 0.0
