"""impactReport over HTTP: the defaults it shares with the CLI, and what a report states
(its as-of time, the policy's revision, the currency, rules in words); hostile inputs and
roles."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graph_crm.auth.roles import Permission, Role
from graph_crm.store.base import GraphStore
from tests.api.asgi import asgi_client
from tests.api.graphql import ALTER_POLICY, DEFINE_POLICY, data, post
from tests.contract.logistics import customs_policy, load_logistics

BARE = """
query Bare($policy: String, $delay: Float! = 0) {
  impactReport(source: "Warehouse:W1", policy: $policy, delayDays: $delay,
               asOf: "2026-03-10T12:00:00Z") {
    policy delayDays asOf asOfIsNow policyRevision registryVersion currency signals
    targets { target tierRule tierFormula explanation }
    totals { byTier { tier rule formula count } }
  }
}"""

NOW = """{ impactReport(source: "Warehouse:W1") { asOf asOfIsNow delayDays } }"""


def _with_currency(**changes: Any) -> dict[str, Any]:
    policy = customs_policy(**changes)
    policy["signals"]["exposure"]["currency"] = "CNY"
    return policy


async def test_policy_and_delay_may_be_left_out(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    body = await post(client, BARE)
    [error] = body["errors"]
    assert (error["extensions"]["code"], error["extensions"]["inputPath"]) == (
        "INVALID_INPUT",
        ["policy"],
    )
    assert "no impact policy is stored yet" in error["message"]
    await data(client, DEFINE_POLICY, policy=_with_currency())
    report = (await data(client, BARE))["impactReport"]
    assert (report["policy"], report["delayDays"]) == ("customs-delay", 0.0)
    assert [t["target"] for t in report["targets"]] == [
        "Customer:G",
        "Customer:CA",
        "Customer:PB",
    ]
    await data(client, DEFINE_POLICY, policy=customs_policy(name="another"))
    body = await post(client, BARE)
    [error] = body["errors"]
    assert error["extensions"]["inputPath"] == ["policy"]
    # the same words as the CLI's (graph_crm/services/impact_report.py says them once)
    assert error["message"] == (
        "2 impact policies are stored (another, customs-delay): name the one to use"
    )
    assert (await data(client, BARE, policy="another"))["impactReport"]["policy"] == "another"


async def test_the_report_states_its_instant_revision_currency_and_rules(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    await data(client, DEFINE_POLICY, policy=_with_currency())
    report = (await data(client, BARE, delay=3))["impactReport"]
    assert (report["asOf"], report["asOfIsNow"]) == ("2026-03-10T12:00:00.000000Z", False)
    assert (report["policyRevision"], report["currency"]) == (1, "CNY")
    assert report["signals"] == ["sla", "exposure", "complaints"]
    version = report["registryVersion"]
    assert version == (await store.registry()).version
    top = report["targets"][0]
    assert top["tierRule"].startswith("Breach predicted: the delay meets or exceeds the SLA buffer")
    assert top["tierFormula"] == "gapDays >= 0 (gapDays 1.5)"
    assert "CNY 7 in 1 Shipment" in top["explanation"]
    assert report["totals"]["byTier"][1] == {
        "tier": "T2",
        "rule": "the delay comes within 3 days of the SLA buffer or exceeds it",
        "formula": "gapDays >= -3",
        "count": 1,
    }
    await data(client, ALTER_POLICY, policy=_with_currency(description="tighter"))
    report = (await data(client, BARE, delay=3))["impactReport"]
    assert (report["policyRevision"], report["registryVersion"]) == (2, version + 1)
    policies = await data(client, "{ impactPolicies { name revision } }")
    assert policies["impactPolicies"] == [{"name": "customs-delay", "revision": 2}]
    # the old field still answers, and says what it was: the registry's version
    old = await data(client, '{ impactReport(source: "Warehouse:W1") { policyVersion } }')
    assert old["impactReport"]["policyVersion"] == version + 1
    now = (await data(client, NOW))["impactReport"]
    assert now["asOfIsNow"] is True
    assert now["delayDays"] == 0


@pytest.mark.parametrize(
    ("arguments", "code", "path"),
    [
        ('policy: "x`) DETACH DELETE n //"', "UNKNOWN_TYPE", ["policy"]),
        ('policy: "' + "p" * 5000 + '"', "UNKNOWN_TYPE", ["policy"]),
        ('policy: ""', "UNKNOWN_TYPE", ["policy"]),
        ("delayDays: -0.5", "INVALID_INPUT", ["delayDays"]),
    ],
)
async def test_hostile_report_arguments_are_refused_cleanly(
    client: httpx.AsyncClient, store: GraphStore, arguments: str, code: str, path: list[str]
) -> None:
    await load_logistics(store)
    await data(client, DEFINE_POLICY, policy=customs_policy())
    before = (await store.registry(), await store.counts())
    body = await post(
        client, f'{{ impactReport(source: "Warehouse:W1", {arguments}) {{ policy }} }}'
    )
    assert body["data"] is None
    [error] = body["errors"]
    assert (error["extensions"]["code"], error["extensions"]["inputPath"]) == (code, path)
    assert len(error["message"]) < 300
    assert "Traceback" not in error["message"]
    assert (await store.registry(), await store.counts()) == before
    # null is not "left out": delayDays is a number when given
    body = await post(
        client, '{ impactReport(source: "Warehouse:W1", delayDays: null) { policy } }'
    )
    assert "errors" in body
    assert body.get("data") is None


@pytest.mark.parametrize("currency", ["cny", "CNYX", "¥", "C1Y", "", 7])
async def test_a_currency_that_is_not_a_code_is_refused_at_its_path(
    client: httpx.AsyncClient, store: GraphStore, currency: Any
) -> None:
    await load_logistics(store)
    version = (await store.registry()).version
    policy = customs_policy()
    policy["signals"]["exposure"]["currency"] = currency
    result = (await data(client, DEFINE_POLICY, policy=policy))["defineImpactPolicy"]
    assert result["__typename"] == "Error"
    assert (result["code"], result["path"]) == (
        "INVALID_INPUT",
        ["signals", "exposure", "currency"],
    )
    assert (await store.registry()).version == version


@pytest.mark.parametrize("role", list(Role))
async def test_the_defaults_need_the_same_permission(store: GraphStore, role: Role) -> None:
    await load_logistics(store)
    await store.define_impact_policy(customs_policy())
    async with asgi_client(store, role) as client:
        body = await post(client, NOW)
    if role.allows(Permission.IMPACT):
        assert body["data"]["impactReport"]["delayDays"] == 0
    else:
        [error] = body["errors"]
        assert (error["extensions"]["code"], error["path"]) == ("FORBIDDEN", ["impactReport"])
