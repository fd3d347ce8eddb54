"""A policy whose conditions read the report's time, over HTTP: defined, reported at
several as-of times, hostile conditions refused at their path with nothing stored."""

from __future__ import annotations

import httpx
import pytest

from graph_crm.store.base import GraphStore
from tests.api.graphql import DEFINE_POLICY, IMPACT_REPORT, data, post
from tests.contract.logistics import customs_policy, load_logistics

#: In transit and not yet due: S1 (promised 03-05, 100.0) and S2 (03-02, 50.5), both CA's.
NOT_YET_DUE = "status = 'IN_TRANSIT' AND promisedBy > $asOf"


async def test_a_condition_on_asof_answers_for_each_report_date(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    policy = customs_policy()
    policy["steps"][0]["where"] = NOT_YET_DUE
    defined = (await data(client, DEFINE_POLICY, policy=policy))["defineImpactPolicy"]
    assert defined["__typename"] == "ImpactPolicyPayload", defined
    exposures = {}
    for as_of in ("2026-03-01", "2026-03-02", "2026-03-04T23:00:00Z", "2026-03-05"):
        variables = {"source": "Warehouse:W1", "delay": 0, "asOf": as_of}
        report = (await data(client, IMPACT_REPORT, **variables))["impactReport"]
        exposures[as_of] = {t["target"]: t["exposure"] for t in report["targets"]}
    # a DATE promise is the start of its day, UTC: S2's 03-02 is not after 03-02T00:00
    assert exposures == {
        "2026-03-01": {"Customer:CA": 150.5},
        "2026-03-02": {"Customer:CA": 100.0},
        "2026-03-04T23:00:00Z": {"Customer:CA": 100.0},
        "2026-03-05": {},
    }


@pytest.mark.parametrize(
    ("where", "path"),
    [
        ("status = 'IN_TRANSIT') DETACH DELETE n //", ["steps", "0", "where"]),
        ("promisedBy > now()", ["steps", "0", "where"]),
        ("value * 2", ["steps", "0", "where"]),
        ({"promisedBy": {"eq": "$asOf"}}, ["steps", "0", "where", "promisedBy", "eq"]),
        ({"status": {"eq": "$delayDays"}}, ["steps", "0", "where", "status", "eq"]),
    ],
)
async def test_a_hostile_condition_is_refused_at_its_path(
    client: httpx.AsyncClient, store: GraphStore, where: object, path: list[str]
) -> None:
    await load_logistics(store)
    version = (await store.registry()).version
    policy = customs_policy()
    policy["steps"][0]["where"] = where
    refused = (await data(client, DEFINE_POLICY, policy=policy))["defineImpactPolicy"]
    assert refused["__typename"] == "Error"
    assert refused["code"] == "INVALID_INPUT", refused
    assert refused["path"] == path
    assert "Traceback" not in refused["message"]
    assert (await store.registry()).version == version


async def test_a_fractional_delay_is_refused_for_a_condition_reading_delaydays(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    policy = customs_policy()
    policy["steps"][0]["where"] = "days_between(promisedBy, $asOf) < $delayDays"
    await data(client, DEFINE_POLICY, policy=policy)
    body = await post(client, IMPACT_REPORT, source="Warehouse:W1", delay=2.5, asOf="2026-03-06")
    [error] = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["inputPath"] == ["delayDays"]
    whole = await data(client, IMPACT_REPORT, source="Warehouse:W1", delay=2, asOf="2026-03-06")
    # S1 (promised 03-05) is 1 day late as of 03-06, within a 2-day delay; S2 is 4 days late
    assert [t["target"] for t in whole["impactReport"]["targets"]] == ["Customer:CA"]
