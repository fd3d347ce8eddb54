"""compare_reports: who enters, who leaves, who changes tier between two reports."""

from __future__ import annotations

from dataclasses import replace

from graph_crm.impact.compare import compare_reports
from tests.impact.made_reports import ranked, report_of


def test_entered_left_and_tier_changes_in_rank_order() -> None:
    base = report_of(
        [ranked(1, "Customer:A", tier="T2"), ranked(2, "Customer:B"), ranked(3, "Customer:D")],
        delay_days=3,
    )
    other = report_of(
        [
            ranked(1, "Customer:C", tier="T1"),
            ranked(2, "Customer:A", tier="T1"),
            ranked(3, "Customer:E", tier="T3"),
            ranked(4, "Customer:D"),
        ],
        delay_days=6,
    )
    diff = compare_reports(base, other)
    assert [t.target for t in diff.entered] == ["Customer:C", "Customer:E"]
    assert [t.target for t in diff.left] == ["Customer:B"]
    [change] = diff.tier_changes
    assert (change.before.tier, change.after.tier, change.after.rank) == ("T2", "T1", 2)
    assert change.after.tier_rule == "rule of T1"
    assert diff.unchanged == 1  # Customer:D
    assert diff.complete
    assert (diff.base, diff.other) == (base, other)


def test_the_same_report_twice_changes_nothing() -> None:
    report = report_of([ranked(1, "Customer:A"), ranked(2, "Customer:B", tier="T3")])
    diff = compare_reports(report, report)
    assert (diff.entered, diff.left, diff.tier_changes, diff.unchanged) == ((), (), (), 2)


def test_a_cut_report_makes_the_comparison_incomplete() -> None:
    whole = report_of([ranked(1, "Customer:A")])
    cut = replace(whole, truncated=True)
    assert not compare_reports(whole, cut).complete
    assert not compare_reports(cut, whole).complete
    empty = report_of([])
    assert [t.target for t in compare_reports(empty, whole).entered] == ["Customer:A"]
    assert [t.target for t in compare_reports(whole, empty).left] == ["Customer:A"]
