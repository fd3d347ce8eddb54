"""The checklist: one item per customer and action, work kept across versions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_crm.errors import InvalidInput
from graph_crm.incidents.checklist import build_checklist, check_item
from tests.examples import examples
from tests.incidents.made import T0, report

CUSTOMERS = [f"Customer:C{n}" for n in range(6)]
tier_maps = st.dictionaries(st.sampled_from(CUSTOMERS), st.sampled_from(["T1", "T2", "T3"]))


def test_an_action_two_policies_share_is_listed_once() -> None:
    items = build_checklist(
        [report({"Customer:A": "T1"}), report({"Customer:A": "T1"}, policy="other")]
    )
    assert [(i.target, i.action) for i in items] == [
        ("Customer:A", "Call the account manager"),
        ("Customer:A", "Re-route"),
    ]


def test_done_must_be_a_boolean() -> None:
    items = build_checklist([report({"Customer:A": "T1"})])
    with pytest.raises(InvalidInput) as refused:
        check_item(items, "Customer:A", "Re-route", done="yes", actor="a", at=T0)  # type: ignore[arg-type]
    assert refused.value.path == ("done",)


@settings(max_examples=examples(200), deadline=None)
@given(before=tier_maps, after=tier_maps, checked=st.sets(st.integers(0, 20)))
def test_a_new_version_keeps_exactly_the_work_on_slots_still_there(
    before: dict[str, str], after: dict[str, str], checked: set[int]
) -> None:
    items = build_checklist([report(before)])
    worked = items
    for n in sorted(checked):
        if n < len(items):
            item = items[n]
            at = T0 + timedelta(minutes=n)
            worked = check_item(worked, item.target, item.action, done=True, actor=f"p{n}", at=at)
    carried = build_checklist([report(after)], worked)
    assert [replace(i, done=False, by=None, at=None) for i in carried] == list(
        build_checklist([report(after)])
    )
    kept = {i.slot: i for i in worked}
    for item in carried:
        old = kept.get(item.slot)
        if old is None:
            assert (item.done, item.by, item.at) == (False, None, None)
        else:
            assert (item.done, item.by, item.at) == (old.done, old.by, old.at)
