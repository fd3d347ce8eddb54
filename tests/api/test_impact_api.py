"""Impact policies and reports over HTTP: define, report (what-if), render, refuse."""

from __future__ import annotations

import httpx

from graph_crm.store.base import GraphStore
from tests.api.graphql import (
    ALTER_POLICY,
    DEFINE_POLICY,
    DROP_POLICY,
    IMPACT_REPORT,
    data,
    post,
)
from tests.contract.logistics import customs_policy, load_logistics


async def test_define_and_report(client: httpx.AsyncClient, store: GraphStore) -> None:
    await load_logistics(store)
    defined = (await data(client, DEFINE_POLICY, policy=customs_policy()))["defineImpactPolicy"]
    assert defined["__typename"] == "ImpactPolicyPayload"
    assert defined["policy"] == {
        "name": "customs-delay",
        "source": "Warehouse",
        "target": "Customer",
        "description": "Goods in transit through a held warehouse",
    }
    listed = await data(client, "{ impactPolicies { name definition } }")
    assert listed["impactPolicies"][0]["definition"]["rollup"]["maxHops"] == 2
    before = await store.counts()
    variables = {"source": "Warehouse:W1", "delay": 3, "asOf": "2026-03-10T12:00:00Z"}
    report = (await data(client, IMPACT_REPORT, **variables))["impactReport"]
    assert report["asOf"] == "2026-03-10T12:00:00.000000Z"
    assert [(t["rank"], t["target"], t["tier"]) for t in report["targets"]] == [
        (1, "Customer:G", "T1"),
        (2, "Customer:CA", "T2"),
        (3, "Customer:PB", "T3"),
    ]
    top = report["targets"][0]
    assert top["paths"][0] == [
        {"id": "Warehouse:W1", "label": "W1"},
        {"id": "Shipment:S5", "label": "S5"},
        {"id": "Customer:CX1", "label": "CX1 Ltd"},
        {"id": "Customer:PX", "label": "PX Ltd"},
        {"id": "Customer:G", "label": "G Ltd"},
    ]
    assert [c["name"] for c in top["components"]] == ["urgency", "exposure", "complaints"]
    assert top["slaEntity"] == "Contract:KG1"
    assert top["actions"] == ["Call the account manager today"]
    assert report["totals"]["byTier"][0] == {
        "tier": "T1",
        "label": "Breach predicted",
        "rule": "the delay meets or exceeds the SLA buffer",
        "count": 1,
    }
    # a what-if reads only, and says the same thing twice
    assert (await data(client, IMPACT_REPORT, **variables))["impactReport"] == report
    assert await store.counts() == before
    rendered = await data(
        client,
        """query { impactReport(source: "Warehouse:W1", delayDays: 3, policy: "customs-delay",
                                asOf: "2026-03-10") { md: rendered(format: MARKDOWN)
                                                      csv: rendered(format: CSV) } }""",
    )
    assert "G Ltd" in rendered["impactReport"]["md"]
    assert rendered["impactReport"]["csv"].count("\n") >= 4  # a header and three rows


async def test_refusals(client: httpx.AsyncClient, store: GraphStore) -> None:
    await load_logistics(store)
    version = (await store.registry()).version
    hostile = customs_policy()
    hostile["steps"][0]["relation"] = "ROUTED_VIA`]-() DETACH DELETE n //"
    for policy, code, path in [
        (hostile, "UNKNOWN_TYPE", ["steps", "0", "relation"]),
        (customs_policy(source="Depot"), "UNKNOWN_TYPE", ["source"]),
        ({"name": "x"}, "INVALID_INPUT", []),
        ([1, 2], "INVALID_INPUT", []),
    ]:
        result = (await data(client, DEFINE_POLICY, policy=policy))["defineImpactPolicy"]
        assert result["__typename"] == "Error"
        assert result["code"] == code, result
        if path:
            assert result["path"] == path
    missing = (await data(client, ALTER_POLICY, policy=customs_policy()))["alterImpactPolicy"]
    assert missing["code"] == "UNKNOWN_TYPE"
    dropped = (await data(client, DROP_POLICY, name="nope"))["dropImpactPolicy"]
    assert dropped["code"] == "UNKNOWN_TYPE"
    assert (await store.registry()).version == version
    assert (await store.counts()).entities["Shipment"] == 8
    await data(client, DEFINE_POLICY, policy=customs_policy())
    for variables, code, path in [
        ({"source": "Warehouse:NOPE", "delay": 3}, "NOT_FOUND", ["source"]),
        ({"source": "Warehouse:W1", "delay": -2}, "INVALID_INPUT", ["delayDays"]),
        ({"source": "Warehouse:W1", "delay": 1e9}, "INVALID_INPUT", ["delayDays"]),
        (
            {"source": "Warehouse:W1", "delay": 3, "asOf": "2026-03-10 12:00"},
            "INVALID_INPUT",
            ["asOf"],
        ),
        ({"source": "Warehouse:W1", "delay": 3, "limit": 0}, "INVALID_INPUT", ["limit"]),
    ]:
        body = await post(client, IMPACT_REPORT, **variables)
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == code, error
        assert error["extensions"]["inputPath"] == path
        assert "Traceback" not in error["message"]
    # a limit that would make the answer huge is refused before anything runs
    body = await post(client, IMPACT_REPORT, source="Warehouse:W1", delay=3, limit=10**6)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    dropped = (await data(client, DROP_POLICY, name="customs-delay"))["dropImpactPolicy"]
    assert dropped["schemaVersion"] == version + 2
