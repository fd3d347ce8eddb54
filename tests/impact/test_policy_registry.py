"""Policy revisions as impact/policy_registry.py numbers them (pure; the stores call it)."""

from __future__ import annotations

from graph_crm.impact.policy_registry import alter_policy, define_policy, stored_policy
from graph_crm.impact.policy_spec import policy_json
from tests.contract.logistics import customs_policy
from tests.impact.registry import AT, logistics_registry


def test_a_policy_stored_before_revisions_reads_as_revision_1_and_counts_on() -> None:
    registry, _ = define_policy(logistics_registry(), customs_policy(), "t", at=AT)
    legacy = {k: v for k, v in registry.policy("customs-delay").items() if k != "revision"}
    legacy["signals"] = customs_policy()["signals"]  # stored before currencies, too: no key
    old = registry.define_policy("old", {**legacy, "name": "old"}, actor="t", at=AT)[0]
    assert stored_policy(old, "old").revision == 1
    # today's normal form of the same policy is no change: the revision stays
    same, change = alter_policy(old, {**customs_policy(), "name": "old"}, "t", at=AT)
    assert same.policy("old")["revision"] == 1
    assert change.after is not None
    assert change.after["revision"] == 1  # the registry's history records revisions
    changed, _ = alter_policy(same, customs_policy(name="old", description="new"), "t", at=AT)
    assert stored_policy(changed, "old").revision == 2


def test_the_normal_form_leaves_the_revision_to_the_registry() -> None:
    sent = {**customs_policy(), "revision": 7}
    assert "revision" not in policy_json(sent)
    registry, _ = define_policy(logistics_registry(), sent, "t", at=AT)
    assert registry.policy("customs-delay")["revision"] == 1
