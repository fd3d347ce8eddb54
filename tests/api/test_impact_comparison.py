"""impactComparison over HTTP, on both backends: one source under two delays or two as-of
times, who changes tier and why, both totals; it equals two reports diffed; refusals,
hostile input and roles."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graph_crm.auth.roles import Permission, Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import DEFINE_POLICY, data, post
from tests.contract.logistics import customs_policy, load_logistics

COMPARE = """
query Compare($base: ImpactSettingInput!, $other: ImpactSettingInput!, $limit: Int = 50,
              $source: ID! = "Warehouse:W1") {
  impactComparison(source: $source, base: $base, other: $other, limit: $limit) {
    policy source sourceLabel complete enteredCount leftCount tierChangeCount unchanged
    base { delayDays asOf asOfIsNow truncated totals { affected predictedBreaches
           byTier { tier count } } }
    other { delayDays asOf asOfIsNow totals { affected predictedBreaches byTier { tier count } } }
    entered { target label rank tier tierRule }
    left { target label rank tier }
    tierChanges { target label fromTier fromTierLabel fromRank toTier toTierLabel toRank
                  reason baseReason }
  }
}"""
REPORT = """
query Report($delay: Float!, $asOf: String) {
  impactReport(source: "Warehouse:W1", delayDays: $delay, asOf: $asOf) {
    asOf targets { target label rank tier tierRule }
    totals { affected predictedBreaches byTier { tier count } }
  }
}"""
AS_OF = "2026-03-10T12:00:00Z"


async def _compared(client: httpx.AsyncClient, **variables: Any) -> dict[str, Any]:
    answer: dict[str, Any] = (await data(client, COMPARE, **variables))["impactComparison"]
    return answer


async def test_two_delays_side_by_side_are_two_reports_diffed(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    await data(client, DEFINE_POLICY, policy=customs_policy())
    before = await store.counts()
    base = {"delayDays": 0, "asOf": AS_OF}
    other = {"delayDays": 3, "asOf": AS_OF}
    compared = await _compared(client, base=base, other=other)
    reports = [
        (await data(client, REPORT, delay=side["delayDays"], asOf=AS_OF))["impactReport"]
        for side in (base, other)
    ]
    tiers = [{t["target"]: t for t in report["targets"]} for report in reports]
    expected = [
        (target, tiers[0][target]["tier"], after["tier"])
        for target, after in tiers[1].items()
        if tiers[0][target]["tier"] != after["tier"]
    ]
    assert expected  # 3 days moves someone up a tier
    changes = compared["tierChanges"]
    assert [(c["target"], c["fromTier"], c["toTier"]) for c in changes] == expected
    for change in changes:
        assert change["reason"] == tiers[1][change["target"]]["tierRule"]
        assert change["baseReason"] == tiers[0][change["target"]]["tierRule"]
        assert change["toRank"] == tiers[1][change["target"]]["rank"]
        assert change["label"] == tiers[1][change["target"]]["label"]
    assert (compared["base"]["totals"], compared["other"]["totals"]) == (
        reports[0]["totals"],
        reports[1]["totals"],
    )
    assert (compared["entered"], compared["left"]) == ([], [])  # a delay reaches no one new
    assert compared["enteredCount"] == compared["leftCount"] == 0
    assert compared["tierChangeCount"] == len(changes)
    assert compared["unchanged"] == len(tiers[1]) - len(changes)
    assert compared["complete"] is True
    assert (compared["base"]["delayDays"], compared["other"]["delayDays"]) == (0, 3)
    assert compared["sourceLabel"] == "W1"
    # the same settings twice: nothing changes; reads only
    same = await _compared(client, base=other, other=other)
    assert (same["tierChangeCount"], same["unchanged"]) == (0, len(tiers[1]))
    # limit cuts the lists, not the counts
    cut = await _compared(client, base=base, other=other, limit=1)
    assert len(cut["tierChanges"]) == 1
    assert cut["tierChangeCount"] == len(changes)
    assert await store.counts() == before


async def test_two_as_of_times_and_now(client: httpx.AsyncClient, store: GraphStore) -> None:
    await load_logistics(store)
    await data(client, DEFINE_POLICY, policy=customs_policy())
    later = await _compared(
        client,
        base={"delayDays": 3, "asOf": AS_OF},
        other={"delayDays": 3, "asOf": "2026-03-13"},
    )
    assert later["other"]["asOf"] == "2026-03-13T00:00:00.000000Z"
    # closer to the deadlines, the same delay is worse: someone moves up, nobody down
    assert later["tierChanges"]
    assert all(c["toTier"] < c["fromTier"] for c in later["tierChanges"])
    # both sides "now": the same instant, said so
    now = await _compared(client, base={"delayDays": 1}, other={"delayDays": 2})
    assert now["base"]["asOf"] == now["other"]["asOf"]
    assert now["base"]["asOfIsNow"] is True


@pytest.mark.parametrize(
    ("variables", "code", "path"),
    [
        ({"base": {"delayDays": -1}}, "INVALID_INPUT", ["base", "delayDays"]),
        ({"other": {"delayDays": 366}}, "INVALID_INPUT", ["other", "delayDays"]),
        ({"other": {"asOf": "2026-03-10 12:00"}}, "INVALID_INPUT", ["other", "asOf"]),
        ({"base": {"asOf": "x" * 5000}}, "INVALID_INPUT", ["base", "asOf"]),
        ({"limit": 0}, "INVALID_INPUT", ["limit"]),
        ({"source": "Warehouse:NOPE"}, "NOT_FOUND", ["source"]),
        ({"source": "Warehouse:`) DETACH DELETE n //"}, "NOT_FOUND", ["source"]),
        ({"source": "Nope`]:W1"}, "INVALID_INPUT", ["source"]),
        ({"source": "Customer:CA"}, "INVALID_INPUT", ["source"]),
    ],
)
async def test_hostile_comparison_arguments_are_refused_cleanly(
    client: httpx.AsyncClient,
    store: GraphStore,
    variables: dict[str, Any],
    code: str,
    path: list[str],
) -> None:
    await load_logistics(store)
    await data(client, DEFINE_POLICY, policy=customs_policy())
    before = (await store.registry(), await store.counts())
    sides = {"base": {"delayDays": 1, "asOf": AS_OF}, "other": {"delayDays": 2, "asOf": AS_OF}}
    body = await post(client, COMPARE, **{**sides, **variables})
    assert body["data"] is None
    [error] = body["errors"]
    assert (error["extensions"]["code"], error["extensions"]["inputPath"]) == (code, path), error
    assert len(error["message"]) < 300
    assert "Traceback" not in error["message"]
    assert (await store.registry(), await store.counts()) == before


async def test_a_huge_limit_is_priced_before_anything_runs(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    await data(client, DEFINE_POLICY, policy=customs_policy())
    body = await post(client, COMPARE, base={}, other={}, limit=10**6)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


@pytest.mark.parametrize("role", list(Role))
async def test_a_comparison_needs_the_impact_permission(store: GraphStore, role: Role) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    async with asgi_client(store, role) as client:
        body = await post(client, COMPARE, base={"delayDays": 0}, other={"delayDays": 3})
    if role.allows(Permission.IMPACT):
        assert body["data"]["impactComparison"]["complete"] is True
    else:
        [error] = body["errors"]
        assert (error["extensions"]["code"], error["path"]) == ("FORBIDDEN", ["impactComparison"])
