"""compile_policy beyond the core refusals: the full plan, its normal form, more refusals
with their paths, and distinct-type chains up to MAX_STEPS. The core refusal list is in
test_policy_refusals.py; type changes under a stored policy in test_policy_changes.py.
"""

from __future__ import annotations

import copy
import math
from functools import cache
from typing import Any

import pytest

from graph_crm.errors import GraphCrmError
from graph_crm.impact.plan import MAX_STEPS, Complaints, LinkedProperty, Rollup, StepProperty
from graph_crm.impact.policy import compile_policy
from graph_crm.impact.policy_spec import policy_json
from graph_crm.model.query import Compare
from graph_crm.model.registry import Registry
from graph_crm.model.traversal import Direction
from graph_crm.model.types import PropertyKind, parse_entity_type, parse_relation_type
from tests.contract.logistics import customs_policy
from tests.impact.registry import AT, logistics_registry

HOSTILE = "x`}) DETACH DELETE n --"


def _edited(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    policy = copy.deepcopy(customs_policy())
    target = policy
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return policy


def test_every_signal_resolves_to_its_type_and_kind() -> None:
    registry = logistics_registry()
    policy = compile_policy(registry, customs_policy())
    plan = policy.plan
    assert (plan.policy, plan.version) == ("customs-delay", registry.version)
    assert (plan.source_type, plan.target_type) == ("Warehouse", "Customer")
    where = plan.steps[0].where
    assert isinstance(where, Compare)
    assert (where.field, where.kind, where.value) == ("status", PropertyKind.ENUM, "IN_TRANSIT")
    assert plan.rollup == Rollup("PARENT_OF", Direction.IN, 2)
    assert isinstance(plan.sla, LinkedProperty)
    sla = plan.sla
    assert (sla.relation, sla.direction, sla.far_type, sla.property, sla.kind) == (
        "HAS_CONTRACT", Direction.OUT, "Contract", "slaDeadline", PropertyKind.DATETIME,
    )  # fmt: skip
    assert isinstance(sla.where, Compare)
    assert sla.where.field == "slaDeadline"
    assert plan.complaints == Complaints(
        "FILED", Direction.OUT, "Complaint", "filedAt", PropertyKind.DATETIME, 7
    )
    scoring = policy.scoring
    assert (scoring.urgency, scoring.exposure, scoring.complaints) == (0.5, 0.3, 0.2)
    assert (scoring.tau_days, scoring.exposure_reference, scoring.complaints_reference) == (
        7, 1000, 4,
    )  # fmt: skip
    assert [response.actions for response in policy.plans] == [
        ("Call the account manager today",),
        ("Send a revised ETA",),
        ("Assign a human contact",),
        ("Monitor",),
    ]
    assert compile_policy(registry, customs_policy(), version=42).plan.version == 42


def test_the_normal_form_is_a_fixed_point() -> None:
    registry = logistics_registry()
    policy = compile_policy(registry, customs_policy())
    assert policy_json(customs_policy()) == policy.definition
    assert compile_policy(registry, policy.definition) == policy
    assert policy.definition["scoring"]["urgencyTauDays"] == 7  # camelCase, as written


def test_a_step_sla_and_a_bare_policy() -> None:
    registry = logistics_registry()
    signals = {**customs_policy()["signals"], "sla": {"step": 1, "property": "promisedBy"}}
    assert compile_policy(registry, customs_policy(signals=signals)).plan.sla == StepProperty(
        1, "promisedBy", PropertyKind.DATE
    )
    bare = customs_policy(
        rollup=None,
        signals={},
        plans=[],
        tiers=[{"tier": "ALL", "label": "Affected", "when": {}}],
    )
    policy = compile_policy(registry, bare)
    assert (policy.plan.sla, policy.plan.exposure, policy.plan.complaints) == (None, None, None)
    assert policy.plan.rollup is None
    assert policy.exposure_noun == "entity"
    assert [(tier.rule, tier.formula) for tier in policy.tiers] == [
        ("in every other case", "otherwise")
    ]


BAD, NO_TYPE, NO_PROPERTY = "INVALID_INPUT", "UNKNOWN_TYPE", "UNKNOWN_PROPERTY"
SLA, EXPOSURE, COMPLAINTS = "signals/sla", "signals/exposure", "signals/complaints"


def _case(case: str, edit: str, value: Any, code: str, path: str) -> Any:
    """A policy with ``value`` at ``edit`` must be refused with ``code`` at ``path``."""
    return pytest.param(_edited(_path(edit), value), code, _path(path), id=case)


def _path(slashed: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in slashed.split("/"))


CASES = [
    # a plan's condition is checked before the tiers it names are looked up
    _case("plan test not an object", "plans/0/when", {"tier": "T1"}, BAD, "plans/0/when/tier"),
    _case("plan anyOf a string", "plans/0/when", {"anyOf": "T1"}, BAD, "plans/0/when/anyOf"),
    _case("plan anyOf of numbers", "plans/0/when", {"anyOf": [1]}, BAD, "plans/0/when/anyOf/0"),
    _case(
        "plan naming no tier, nested",
        "plans/1/when",
        {"anyOf": [{"tier": {"in": ["T1", "T9"]}}]},
        BAD,
        "plans/1/when",
    ),
    _case("empty action", "plans/0/actions", [" "], BAD, "plans/0"),
    _case("roll-up of 0 hops", "rollup/maxHops", 0, BAD, "rollup/maxHops"),
    _case("roll-up of 6 hops", "rollup/maxHops", 6, BAD, "rollup/maxHops"),
    _case("roll-up relation missing", "rollup/relation", "OWNS", NO_TYPE, "rollup/relation"),
    _case("roll-up hostile", "rollup/relation", "P]-() DELETE n//", NO_TYPE, "rollup/relation"),
    _case(
        "roll-up the wrong way",
        "rollup",
        {"relation": "SHIPPED_FOR", "direction": "OUT", "maxHops": 1},
        BAD,
        "rollup/direction",
    ),
    _case(
        "linked SLA off the target",
        f"{SLA}/linked",
        {"relation": "ROUTED_VIA", "direction": "OUT"},
        BAD,
        f"{SLA}/linked/direction",
    ),
    _case(
        "SLA link missing", f"{SLA}/linked/relation", "SIGNED", NO_TYPE, f"{SLA}/linked/relation"
    ),
    _case(
        "SLA link filter unknown",
        f"{SLA}/linked/where",
        {"mood": {"eq": 1}},
        NO_PROPERTY,
        f"{SLA}/linked/where/mood",
    ),
    _case("SLA hostile property", f"{SLA}/property", HOSTILE, NO_PROPERTY, f"{SLA}/property"),
    _case(
        "SLA a system field",
        SLA,
        {"step": 1, "property": "createdAt"},
        NO_PROPERTY,
        f"{SLA}/property",
    ),
    _case(
        "exposure via a link",
        EXPOSURE,
        {"linked": {"relation": "HAS_CONTRACT", "direction": "OUT"}, "property": "value"},
        BAD,
        EXPOSURE,
    ),
    _case("exposure at the source", f"{EXPOSURE}/step", 0, NO_PROPERTY, f"{EXPOSURE}/property"),
    _case("exposure at step -1", f"{EXPOSURE}/step", -1, BAD, f"{EXPOSURE}/step"),
    _case("exposure from nowhere", EXPOSURE, {"property": "value"}, BAD, EXPOSURE),
    _case(
        "complaints the wrong way", f"{COMPLAINTS}/direction", "IN", BAD, f"{COMPLAINTS}/direction"
    ),
    _case(
        "complaints dated by a number",
        COMPLAINTS,
        {"relation": "SHIPPED_FOR", "direction": "IN", "dateProperty": "value", "windowDays": 7},
        BAD,
        f"{COMPLAINTS}/dateProperty",
    ),
    _case("complaints window 0", f"{COMPLAINTS}/windowDays", 0, BAD, f"{COMPLAINTS}/windowDays"),
    _case(
        "complaints filter hostile",
        f"{COMPLAINTS}/where",
        {HOSTILE: {"eq": 1}},
        NO_PROPERTY,
        f"{COMPLAINTS}/where/{HOSTILE}",
    ),
    _case(
        "step filter hostile",
        "steps/0/where",
        {HOSTILE: {"eq": 1}},
        NO_PROPERTY,
        f"steps/0/where/{HOSTILE}",
    ),
    _case(
        "step filter bad enum", "steps/0/where/status/eq", "LOST", BAD, "steps/0/where/status/eq"
    ),
    _case("direction BOTH", "steps/0/direction", "BOTH", BAD, "steps/0/direction"),
    _case("no steps", "steps", [], BAD, "steps"),
    _case("relation not a string", "steps/0/relation", 7, BAD, "steps/0/relation"),
    _case("tau 0", "scoring/urgencyTauDays", 0, BAD, "scoring/urgencyTauDays"),
    _case("weight NaN", "scoring/weights/urgency", math.nan, BAD, "scoring/weights/urgency"),
    _case(
        "reference infinite",
        "scoring/exposureReference",
        math.inf,
        BAD,
        "scoring/exposureReference",
    ),
    _case("unknown nested key", "scoring/weights/risk", 0.0, BAD, "scoring/weights/risk"),
    _case("scoring not an object", "scoring", None, BAD, "scoring"),
    _case("no tiers", "tiers", [], BAD, "tiers"),
    _case("tier name with a space", "tiers/0/tier", "T 1", BAD, "tiers/0/tier"),
    _case(
        "tier rule on the tier", "tiers/0/when", {"tier": {"eq": "T2"}}, BAD, "tiers/0/when/tier"
    ),
    _case("tier rule NaN", "tiers/0/when/gapDays/gte", math.nan, BAD, "tiers/0/when/gapDays/gte"),
    _case("policy name upper case", "name", "Customs-Delay", BAD, "name"),
    _case("policy name too long", "name", "a" * 65, BAD, "name"),
    _case("policy name a quote", "name", 'customs"delay', BAD, "name"),
]


@pytest.mark.parametrize(("raw", "code", "path"), CASES)
def test_more_refusals_say_what_and_where(
    raw: dict[str, Any], code: str, path: tuple[Any, ...]
) -> None:
    with pytest.raises(GraphCrmError) as caught:
        compile_policy(logistics_registry(), raw)
    assert (caught.value.code, caught.value.path) == (code, path), caught.value
    assert 0 < len(caught.value.message) <= 300


# -- distinct-type chains: Hop0 -> Hop1 <- Hop2 -> ... (odd steps OUT, even steps IN) ---------


@cache
def chain_registry(hops: int) -> Registry:
    registry = Registry()
    properties = [
        {"name": "status", "kind": "ENUM", "values": ["OPEN", "SHUT"]},
        {"name": "due", "kind": "DATE"},
        {"name": "amount", "kind": "INT"},
    ]
    for i in range(hops + 1):
        definition = parse_entity_type({"name": f"Hop{i}", "properties": properties})
        registry, _ = registry.define_entity_type(definition, actor="t", at=AT)
    for i in range(1, hops + 1):
        ends = (f"Hop{i - 1}", f"Hop{i}") if i % 2 else (f"Hop{i}", f"Hop{i - 1}")
        relation = parse_relation_type({"name": f"LINK_{i}", "from": ends[0], "to": ends[1]})
        registry, _ = registry.define_relation_type(relation, actor="t", at=AT)
    return registry


def chain_policy(hops: int) -> dict[str, Any]:
    steps = [
        {
            "relation": f"LINK_{i}",
            "direction": "OUT" if i % 2 else "IN",
            "where": {"status": {"eq": "OPEN"}},
        }
        for i in range(1, hops + 1)
    ]
    return customs_policy(
        source="Hop0",
        target=f"Hop{hops}",
        steps=steps,
        rollup=None,
        signals={
            "sla": {"step": min(3, hops), "property": "due"},
            "exposure": {"step": min(4, hops), "property": "amount"},
        },
    )


@pytest.mark.parametrize("hops", [5, MAX_STEPS])
def test_a_chain_of_distinct_types_compiles(hops: int) -> None:
    policy = compile_policy(chain_registry(hops), chain_policy(hops))
    steps = policy.plan.steps
    assert [step.landing_type for step in steps] == [f"Hop{i}" for i in range(1, hops + 1)]
    assert [step.direction for step in steps][:3] == [Direction.OUT, Direction.IN, Direction.OUT]
    assert all(step.where is not None for step in steps)
    assert policy.plan.sla == StepProperty(3, "due", PropertyKind.DATE)
    assert policy.plan.exposure == StepProperty(4, "amount", PropertyKind.INT)
    assert policy.exposure_noun == "Hop4"


def test_one_step_past_the_limit_is_refused() -> None:
    hops = MAX_STEPS + 1
    with pytest.raises(GraphCrmError) as caught:
        compile_policy(chain_registry(hops), chain_policy(hops))
    assert (caught.value.code, caught.value.path) == ("INVALID_INPUT", ("steps",))
