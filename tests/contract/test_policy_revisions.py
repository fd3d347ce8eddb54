"""A policy's own revision, and the defaults every report front end shares: on every backend.

A policy is at revision 1 when defined and goes up by one on each alter that changes it;
an alter that changes nothing keeps it; dropped and defined again, it starts at 1. The
registry's version is another number: it counts every change to every definition.
"""

from __future__ import annotations

import pytest

from graph_crm.errors import GraphCrmError
from graph_crm.services.impact_report import impact_report
from graph_crm.store.base import GraphStore
from tests.contract.logistics import AS_OF, customs_policy, load_logistics

W1 = "Warehouse:W1"


async def _revision(store: GraphStore, name: str = "customs-delay") -> int:
    revision = (await store.registry()).policy(name)["revision"]
    assert isinstance(revision, int)
    return revision


async def test_revisions_count_the_changes_to_one_policy(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_entity_type({"name": "Note", "properties": []})  # bumps the registry
    base = (await store.registry()).version
    await store.define_impact_policy(customs_policy())
    assert await _revision(store) == 1
    await store.alter_impact_policy(customs_policy(description="tighter"))
    assert await _revision(store) == 2
    # the same definition again, with the revision a `policy show` prints: nothing changes
    shown = dict((await store.registry()).policy("customs-delay"))
    registry = await store.alter_impact_policy(shown)
    assert await _revision(store) == 2
    # the registry records no change either: no version, no audit record (issue 16)
    assert registry.version == base + 2
    # a stale or made-up revision in the definition is not the policy's: the registry numbers
    await store.alter_impact_policy({**customs_policy(), "revision": 99})
    assert await _revision(store) == 3
    report = await impact_report(store, source=W1, delay_days=3, as_of=AS_OF)
    assert (report.policy_revision, report.registry_version) == (3, base + 3)
    # another policy has its own count
    await store.define_impact_policy(customs_policy(name="other"))
    assert (await _revision(store, "other"), await _revision(store)) == (1, 3)
    # dropped and defined again: a new policy, at 1
    await store.drop_impact_policy("customs-delay")
    await store.define_impact_policy(customs_policy())
    assert await _revision(store) == 1


async def test_a_refused_alter_keeps_the_revision(store: GraphStore) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    before = await store.registry()
    broken = customs_policy(description="broken")
    broken["signals"]["exposure"]["currency"] = "yuan"
    with pytest.raises(GraphCrmError) as caught:
        await store.alter_impact_policy(broken)
    assert (caught.value.code, caught.value.path) == (
        "INVALID_INPUT",
        ("signals", "exposure", "currency"),
    )
    assert await store.registry() == before


async def test_policy_and_delay_default_the_same_way_for_every_caller(store: GraphStore) -> None:
    await load_logistics(store)
    with pytest.raises(GraphCrmError) as caught:
        await impact_report(store, source=W1, as_of=AS_OF)
    assert (caught.value.code, caught.value.path) == ("INVALID_INPUT", ("policy",))
    assert "no impact policy is stored yet" in caught.value.message
    await store.define_impact_policy(customs_policy())
    only = await impact_report(store, source=W1, as_of=AS_OF)  # no policy, no delay
    assert (only.policy, only.delay_days) == ("customs-delay", 0.0)
    assert [t.target for t in only.targets] == ["Customer:G", "Customer:CA", "Customer:PB"]
    assert not only.as_of_is_now
    await store.define_impact_policy(customs_policy(name="another"))
    with pytest.raises(GraphCrmError) as caught:
        await impact_report(store, source=W1, delay_days=3, as_of=AS_OF)
    assert (caught.value.code, caught.value.path) == ("INVALID_INPUT", ("policy",))
    assert caught.value.message == (
        "2 impact policies are stored (another, customs-delay): name the one to use"
    )
    named = await impact_report(store, source=W1, policy="another", delay_days=3, as_of=AS_OF)
    assert named.policy == "another"
    now = await impact_report(store, source=W1, policy="another")
    assert now.as_of_is_now
