"""A policy is checked against the registry: what it compiles to, and every refusal's path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from graph_crm.errors import GraphCrmError
from graph_crm.impact.plan import MAX_STEPS, LinkedProperty, StepProperty
from graph_crm.impact.policy import compile_policy
from graph_crm.impact.policy_registry import define_policy
from graph_crm.model.traversal import Direction
from graph_crm.model.types import PropertyKind, parse_entity_type, parse_relation_type
from tests.contract.logistics import customs_policy
from tests.impact.registry import AT, logistics_registry

Edit = Callable[[dict[str, Any]], None]


def test_the_policy_compiles_to_a_typed_plan() -> None:
    policy = compile_policy(logistics_registry(), customs_policy())
    plan = policy.plan
    assert [(s.relation, s.direction, s.landing_type) for s in plan.steps] == [
        ("ROUTED_VIA", Direction.IN, "Shipment"),
        ("SHIPPED_FOR", Direction.OUT, "Customer"),
    ]
    assert plan.steps[0].where is not None
    assert plan.steps[1].where is None
    assert plan.rollup is not None
    assert plan.rollup.max_hops == 2
    assert isinstance(plan.sla, LinkedProperty)
    assert plan.sla.kind is PropertyKind.DATETIME
    assert plan.exposure == StepProperty(1, "value", PropertyKind.FLOAT)
    assert plan.complaints is not None
    assert plan.complaints.window_days == 7
    assert [t.formula for t in policy.tiers] == ["gapDays >= 0", "gapDays >= -3", "otherwise"]
    assert [t.rule for t in policy.tiers] == [
        "the delay meets or exceeds the SLA buffer",
        "the delay comes within 3 days of the SLA buffer or exceeds it",
        "in every other case",
    ]
    assert policy.exposure_noun == "Shipment"
    assert policy.definition["steps"][0]["where"] == {"status": {"eq": "IN_TRANSIT"}}


def _set(path: tuple[Any, ...], value: Any) -> Edit:
    def edit(policy: dict[str, Any]) -> None:
        target = policy
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return edit


CASES: list[tuple[str, Edit, str, tuple[Any, ...]]] = [
    ("missing source type", _set(("source",), "Depot"), "UNKNOWN_TYPE", ("source",)),
    ("missing target type", _set(("target",), "Client"), "UNKNOWN_TYPE", ("target",)),
    (
        "missing relation",
        _set(("steps", 1, "relation"), "DELIVERED_TO"),
        "UNKNOWN_TYPE",
        ("steps", 1, "relation"),
    ),
    (
        "wrong direction",
        _set(("steps", 0, "direction"), "OUT"),
        "INVALID_INPUT",
        ("steps", 0, "direction"),
    ),
    ("steps end elsewhere", _set(("target",), "Shipment"), "INVALID_INPUT", ("steps", 1)),
    (
        "roll-up leaves the target type",
        _set(("rollup",), {"relation": "HAS_CONTRACT", "direction": "OUT", "maxHops": 1}),
        "INVALID_INPUT",
        ("rollup", "relation"),
    ),
    (
        "SLA property missing",
        _set(("signals", "sla", "property"), "deadline"),
        "UNKNOWN_PROPERTY",
        ("signals", "sla", "property"),
    ),
    (
        "SLA not a date",
        _set(("signals", "sla"), {"step": 1, "property": "value"}),
        "INVALID_INPUT",
        ("signals", "sla", "property"),
    ),
    (
        "exposure a string",
        _set(("signals", "exposure"), {"step": 1, "property": "status"}),
        "INVALID_INPUT",
        ("signals", "exposure", "property"),
    ),
    (
        "complaint date missing",
        _set(("signals", "complaints", "dateProperty"), "on"),
        "UNKNOWN_PROPERTY",
        ("signals", "complaints", "dateProperty"),
    ),
    (
        "filter on an unknown property",
        _set(("steps", 0, "where"), {"weight": {"gt": 1}}),
        "UNKNOWN_PROPERTY",
        ("steps", 0, "where", "weight"),
    ),
    (
        "step out of range",
        _set(("signals", "exposure", "step"), 5),
        "INVALID_INPUT",
        ("signals", "exposure", "step"),
    ),
    (
        "both step and linked",
        _set(("signals", "sla", "step"), 1),
        "INVALID_INPUT",
        ("signals", "sla"),
    ),
    (
        "exposure weighed without a reference",
        _set(("scoring", "exposureReference"), None),
        "INVALID_INPUT",
        ("scoring", "exposureReference"),
    ),
    (
        "negative weight",
        _set(("scoring", "weights", "complaints"), -0.2),
        "INVALID_INPUT",
        ("scoring", "weights", "complaints"),
    ),
    (
        "no catch-all tier",
        _set(("tiers", 2, "when"), {"gapDays": {"lt": 0}}),
        "INVALID_INPUT",
        ("tiers", 2, "when"),
    ),
    ("tier twice", _set(("tiers", 1, "tier"), "T1"), "INVALID_INPUT", ("tiers", 1, "tier")),
    (
        "tier rule using the score",
        _set(("tiers", 0, "when"), {"score": {"gte": 0.5}}),
        "INVALID_INPUT",
        ("tiers", 0, "when", "score"),
    ),
    (
        "plan naming no tier",
        _set(("plans", 0, "when"), {"tier": {"eq": "T9"}}),
        "INVALID_INPUT",
        ("plans", 0, "when"),
    ),
    (
        "unknown signal",
        _set(("plans", 0, "when"), {"mood": {"eq": 1}}),
        "INVALID_INPUT",
        ("plans", 0, "when", "mood"),
    ),
    (
        "unknown operator",
        _set(("plans", 0, "when"), {"complaints": {"approx": 1}}),
        "INVALID_INPUT",
        ("plans", 0, "when", "complaints", "approx"),
    ),
    ("unknown key", _set(("colour",), "red"), "INVALID_INPUT", ("colour",)),
    ("bad policy name", _set(("name",), "Customs Delay'"), "INVALID_INPUT", ("name",)),
    (
        "hostile relation",
        _set(("steps", 0, "relation"), "X`]->() DETACH DELETE n //"),
        "UNKNOWN_TYPE",
        ("steps", 0, "relation"),
    ),
    (
        "hostile type",
        _set(("source",), "Warehouse) DETACH DELETE (n"),
        "UNKNOWN_TYPE",
        ("source",),
    ),
    (
        "too many steps",
        _set(("steps",), [{"relation": "ROUTED_VIA", "direction": "IN"}] * (MAX_STEPS + 1)),
        "INVALID_INPUT",
        ("steps",),
    ),
]


@pytest.mark.parametrize(("case", "edit", "code", "path"), CASES, ids=[c[0] for c in CASES])
def test_refusals_say_what_and_where(
    case: str, edit: Edit, code: str, path: tuple[Any, ...]
) -> None:
    policy = customs_policy()
    edit(policy)
    with pytest.raises(GraphCrmError) as caught:
        compile_policy(logistics_registry(), policy)
    assert caught.value.code == code, caught.value
    assert caught.value.path == path, caught.value
    assert "Traceback" not in caught.value.message


@pytest.mark.parametrize("raw", [None, [], "customs-delay", 7])
def test_a_policy_is_an_object(raw: Any) -> None:
    with pytest.raises(GraphCrmError, match="JSON object"):
        compile_policy(logistics_registry(), raw)


def test_five_hops_and_more() -> None:
    registry = logistics_registry()
    chain = [
        {"relation": "ROUTED_VIA", "direction": "IN"},
        {"relation": "ROUTED_VIA", "direction": "OUT"},
        {"relation": "ROUTED_VIA", "direction": "IN"},
        {"relation": "SHIPPED_FOR", "direction": "OUT"},
        {"relation": "PARENT_OF", "direction": "IN"},
    ]
    policy = compile_policy(registry, customs_policy(steps=chain))
    assert [step.landing_type for step in policy.plan.steps] == [
        "Shipment", "Warehouse", "Shipment", "Customer", "Customer",
    ]  # fmt: skip
    loop = [{"relation": "PARENT_OF", "direction": "IN"}] * 6
    long_chain = customs_policy(steps=chain[:4] + loop[:4], rollup=None)
    assert len(compile_policy(registry, long_chain).plan.steps) == MAX_STEPS


def test_a_type_change_that_breaks_a_stored_policy_is_refused() -> None:
    registry, _ = define_policy(logistics_registry(), customs_policy(), "t", at=AT)
    # FILED carries the complaints signal: dropping it (were it empty) would break the policy
    with pytest.raises(GraphCrmError) as caught:
        registry.drop_relation_type("FILED", populated=False, actor="t", at=AT)
    assert caught.value.code == "INCOMPATIBLE_CHANGE"
    assert "customs-delay" in caught.value.message
    assert caught.value.path[:2] == ("policies", "customs-delay")
    # a change the policy does not care about goes through
    extra = parse_entity_type({"name": "Port", "properties": []})
    registry, _ = registry.define_entity_type(extra, actor="t", at=AT)
    relation = parse_relation_type({"name": "CALLS_AT", "from": "Shipment", "to": "Port"})
    registry.define_relation_type(relation, actor="t", at=AT)


@pytest.mark.parametrize("currency", ["cny", "CNYX", "¥", "C1Y", "", " CNY", 978])
def test_a_currency_is_three_capital_letters(currency: Any) -> None:
    policy = customs_policy()
    policy["signals"]["exposure"]["currency"] = currency
    with pytest.raises(GraphCrmError) as caught:
        compile_policy(logistics_registry(), policy)
    assert (caught.value.code, caught.value.path) == (
        "INVALID_INPUT",
        ("signals", "exposure", "currency"),
    )
    policy["signals"]["exposure"]["currency"] = "EUR"
    assert compile_policy(logistics_registry(), policy).currency == "EUR"
