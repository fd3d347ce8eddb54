"""diff_reports: who entered, who left and who changed tier, policy by policy."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from graph_crm.incidents.diff import IncidentDiff, PolicyDiff, diff_reports
from tests.examples import examples
from tests.incidents.made import report

CUSTOMERS = [f"Customer:C{n}" for n in range(8)]
tier_maps = st.dictionaries(st.sampled_from(CUSTOMERS), st.sampled_from(["T1", "T2", "T3"]))


def _one(diff: IncidentDiff) -> PolicyDiff:
    [policy] = diff.policies
    return policy


def test_entered_left_and_tier_changes_with_the_newer_rule_as_reason() -> None:
    before = report({"Customer:A": "T2", "Customer:B": "T1", "Customer:D": "T3"})
    after = report({"Customer:C": "T1", "Customer:A": "T1", "Customer:D": "T3"})
    diff = _one(diff_reports([before], [after]))
    assert [(t.target, t.tier, t.rank) for t in diff.entered] == [("Customer:C", "T1", 1)]
    assert [(t.target, t.tier) for t in diff.left] == [("Customer:B", "T1")]
    [change] = diff.tier_changes
    assert (change.target, change.from_tier, change.to_tier) == ("Customer:A", "T2", "T1")
    assert (change.from_rank, change.to_rank, change.reason) == (1, 2, "rule of T1")
    assert diff.unchanged == 1
    assert diff.complete
    assert not diff.empty


def test_a_policy_on_one_side_only_enters_or_leaves_all_its_customers() -> None:
    kept = report({"Customer:A": "T1"})
    gone = report({"Customer:B": "T2"}, policy="port-strike")
    new = report({"Customer:C": "T3"}, policy="air-freight")
    diff = diff_reports([kept, gone], [kept, new])
    assert [p.policy for p in diff.policies] == ["air-freight", "customs-delay", "port-strike"]
    added, same, dropped = diff.policies
    assert [t.target for t in added.entered] == ["Customer:C"]
    assert not added.left
    assert same.empty
    assert same.unchanged == 1
    assert [t.target for t in dropped.left] == ["Customer:B"]
    assert not dropped.entered


def test_a_truncated_side_makes_the_diff_incomplete() -> None:
    from dataclasses import replace

    cut = replace(report({"Customer:A": "T1"}), truncated=True)
    assert not _one(diff_reports([cut], [report({"Customer:A": "T1"})])).complete


@settings(max_examples=examples(200), deadline=None)
@given(before=tier_maps, after=tier_maps)
def test_applying_the_diff_to_the_older_tiers_gives_the_newer(
    before: dict[str, str], after: dict[str, str]
) -> None:
    diff = _one(diff_reports([report(before)], [report(after)]))
    entered = {t.target: t.tier for t in diff.entered}
    left = {t.target for t in diff.left}
    assert not entered.keys() & left
    assert left == before.keys() - after.keys()
    assert entered == {target: after[target] for target in after.keys() - before.keys()}
    rebuilt = {t: tier for t, tier in before.items() if t not in left} | entered
    for change in diff.tier_changes:
        assert rebuilt[change.target] == change.from_tier != change.to_tier
        rebuilt[change.target] = change.to_tier
    assert rebuilt == after
    both = before.keys() & after.keys()
    assert diff.unchanged == len(both) - len(diff.tier_changes)
    assert diff.empty == (before == after)


@settings(max_examples=examples(100), deadline=None)
@given(before=tier_maps, after=tier_maps)
def test_the_reverse_diff_swaps_entered_and_left_and_each_change(
    before: dict[str, str], after: dict[str, str]
) -> None:
    forward = _one(diff_reports([report(before)], [report(after)]))
    backward = _one(diff_reports([report(after)], [report(before)]))
    assert {t.target for t in forward.entered} == {t.target for t in backward.left}
    assert {t.target for t in forward.left} == {t.target for t in backward.entered}
    assert {(c.target, c.from_tier, c.to_tier) for c in forward.tier_changes} == {
        (c.target, c.to_tier, c.from_tier) for c in backward.tier_changes
    }
    assert forward.unchanged == backward.unchanged


def test_no_reports_on_either_side_is_an_empty_diff() -> None:
    assert diff_reports([], []) == IncidentDiff(())
