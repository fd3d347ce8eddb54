"""Impact policy footprints (impact/footprint.py): what a policy's report reads, and
which write summaries can change it. Pure: registries built in memory."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_crm.impact.footprint import Footprint, footprints, plan_footprint, read_properties
from graph_crm.impact.policy import compile_policy
from graph_crm.model.registry import Registry
from graph_crm.model.types import parse_entity_type
from graph_crm.model.write_summary import WriteSummary
from tests.contract.logistics import ENTITY_TYPES, customs_policy
from tests.impact.registry import AT, logistics_registry, registry_of


def _footprint(registry: Registry, policy: dict[str, Any]) -> Footprint:
    return plan_footprint(registry, compile_policy(registry, policy).plan)


def test_the_customs_policy_reads_its_path_its_signals_and_their_filters() -> None:
    found = _footprint(logistics_registry(), customs_policy())
    assert (found.policy, found.source_type) == ("customs-delay", "Warehouse")
    assert found.entities == {
        "Warehouse": frozenset(),
        "Shipment": frozenset({"status", "value"}),
        "Customer": frozenset(),
        "Contract": frozenset({"slaDeadline"}),
        "Complaint": frozenset({"filedAt"}),
    }
    assert found.relations == {"ROUTED_VIA", "SHIPPED_FOR", "PARENT_OF", "HAS_CONTRACT", "FILED"}


TOUCHES: list[tuple[WriteSummary, tuple[str, ...]]] = [
    (WriteSummary({"Shipment": frozenset({"status", "updatedAt"})}), ("Shipment.status",)),
    (WriteSummary({"Shipment": frozenset({"promisedBy", "updatedAt"})}), ()),
    (WriteSummary({"Customer": frozenset({"name", "updatedAt"})}), ()),
    (WriteSummary({"Customer": None}), ("Customer",)),  # deleted: its relations went too
    (WriteSummary({"Memo": None}), ()),
    (WriteSummary(relations=frozenset({"ROUTED_VIA", "OTHER"})), ("ROUTED_VIA",)),
    (WriteSummary(relations=frozenset({"OTHER"})), ()),
    (WriteSummary(policies=frozenset({"customs-delay"})), ("policy customs-delay",)),
    (WriteSummary(policies=frozenset({"another"})), ()),
    (WriteSummary({"Contract": frozenset({"slaDeadline"})}), ("Contract.slaDeadline",)),
]


@pytest.mark.parametrize(("summary", "touched"), TOUCHES)
def test_only_what_the_report_reads_touches_it(
    summary: WriteSummary, touched: tuple[str, ...]
) -> None:
    found = _footprint(logistics_registry(), customs_policy())
    assert found.touched_by(summary) == touched


NAMES = st.sampled_from(["Shipment", "Customer", "Memo", "Contract", "Warehouse", "Other"])
PROPS = st.sampled_from(["status", "value", "name", "promisedBy", "slaDeadline", "x"])


@given(
    st.dictionaries(NAMES, st.none() | st.frozensets(PROPS, max_size=3), max_size=4),
    st.frozensets(st.sampled_from(["ROUTED_VIA", "FILED", "X", "Y"]), max_size=3),
)
def test_a_summary_touches_exactly_where_it_meets_the_footprint(
    entities: dict[str, frozenset[str] | None], relations: frozenset[str]
) -> None:
    found = _footprint(logistics_registry(), customs_policy())
    touched = found.touched_by(WriteSummary(entities, relations))
    meets = bool(relations & found.relations) or any(
        name in found.entities and (props is None or props & found.entities[name])
        for name, props in entities.items()
    )
    assert bool(touched) == meets
    # adding what no footprint has changes nothing
    more = WriteSummary({**entities, "Unrelated": None}, relations | {"UNRELATED"})
    assert found.touched_by(more) == touched


def _with_computed() -> Registry:
    """The logistics types, a Shipment's ``valueEur`` a formula over ``value`` and a
    Customer's ``liveContracts`` a rollup over its contracts' deadlines."""
    types = copy.deepcopy(ENTITY_TYPES)
    shipment = next(t for t in types if t["name"] == "Shipment")
    shipment["properties"].append({"name": "valueEur", "kind": "FLOAT", "computed": "value * 0.9"})
    registry = registry_of(types)
    customer = copy.deepcopy(next(t for t in types if t["name"] == "Customer"))
    customer["properties"].append(
        {
            "name": "liveContracts",
            "kind": "INT",
            "computed": {
                "rollup": "count",
                "path": ["HAS_CONTRACT"],
                "where": {"slaDeadline": {"isNull": False}},
            },
        }
    )
    registry, _, _ = registry.alter_entity_type(
        parse_entity_type(customer), actor="t", at=AT, populated=False
    )
    return registry


def test_a_computed_property_read_counts_what_it_is_computed_from() -> None:
    registry = _with_computed()
    policy = customs_policy()
    policy["signals"] = {"exposure": {"step": 1, "property": "valueEur"}}
    policy["steps"][1]["where"] = {"liveContracts": {"gt": 0}}
    policy.pop("rollup")
    found = _footprint(registry, policy)
    assert found.entities["Shipment"] == {"status", "valueEur", "value"}
    assert found.entities["Customer"] == {"liveContracts"}
    assert found.entities["Contract"] == {"slaDeadline"}
    assert "HAS_CONTRACT" in found.relations
    assert found.touched_by(WriteSummary({"Contract": frozenset({"slaDeadline"})}))
    assert found.touched_by(WriteSummary({"Shipment": frozenset({"value"})}))


def test_a_formula_where_and_a_relation_quantifier_are_read() -> None:
    registry = logistics_registry()
    policy = customs_policy()
    policy["steps"][0]["where"] = "status = 'IN_TRANSIT' and value > 1"
    policy["steps"][1]["where"] = {"FILED": {"some": {"filedAt": {"isNull": False}}}}
    found = _footprint(registry, policy)
    assert found.entities["Shipment"] == {"status", "value"}
    assert found.entities["Complaint"] == {"filedAt"}


def test_footprints_are_kept_per_registry() -> None:
    registry = logistics_registry()
    registry, _ = registry.define_policy(
        "customs-delay", compile_policy(registry, customs_policy()).definition, actor="t", at=AT
    )
    assert footprints(registry) is footprints(registry)
    assert [f.policy for f in footprints(registry)] == ["customs-delay"]
    assert read_properties(footprints(registry), "Shipment") == frozenset({"status", "value"})
    assert read_properties(footprints(registry), "Memo") is None
