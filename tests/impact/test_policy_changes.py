"""Type changes a stored impact policy forbids: each names the policy and the entry it breaks.

A store's registry holds ``REGISTRY_VALIDATORS``, which run ``check_policies`` on every type
change; a refused change leaves the registry as it was, and the same change goes through
once the policy is gone.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from graph_crm.errors import GraphCrmError
from graph_crm.impact.policy import compile_policy
from graph_crm.impact.policy_registry import check_policies, define_policy
from graph_crm.model.registry import Registry
from graph_crm.model.types import parse_entity_type
from tests.contract.logistics import ENTITY_TYPES, customs_policy
from tests.impact.registry import AT, logistics_registry


def _entity(name: str, drop: str = "", **replaced: dict[str, Any]) -> dict[str, Any]:
    """The logistics definition of ``name`` without ``drop``, with properties replaced."""
    definition = next(d for d in ENTITY_TYPES if d["name"] == name)
    properties = [replaced.get(p["name"], p) for p in definition["properties"] if p["name"] != drop]
    return {"name": name, "properties": properties}


BREAKING: list[tuple[str, str, Any, tuple[Any, ...]]] = [
    ("drop a step's relation", "drop", "ROUTED_VIA", ("steps", 0, "relation")),
    ("drop the roll-up relation", "drop", "PARENT_OF", ("rollup", "relation")),
    ("drop the SLA link", "drop", "HAS_CONTRACT", ("signals", "sla", "linked", "relation")),
    (
        "drop the SLA property",
        "alter",
        _entity("Contract", "slaDeadline"),
        ("signals", "sla", "property"),
    ),
    (
        "make exposure text",
        "alter",
        _entity("Shipment", value={"name": "value", "kind": "STRING"}),
        ("signals", "exposure", "property"),
    ),
    (
        "drop a filtered enum value",
        "alter",
        _entity(
            "Shipment", status={"name": "status", "kind": "ENUM", "values": ["BOOKED", "DELIVERED"]}
        ),
        ("steps", 0, "where", "status", "eq"),
    ),
    (
        "drop the complaint date",
        "alter",
        _entity("Complaint", "filedAt"),
        ("signals", "complaints", "dateProperty"),
    ),
]


def _apply(registry: Registry, action: str, subject: Any) -> Registry:
    if action == "drop":
        return registry.drop_relation_type(subject, populated=False, actor="t", at=AT)[0]
    definition = parse_entity_type(subject)
    return registry.alter_entity_type(definition, populated=False, actor="t", at=AT)[0]


@pytest.mark.parametrize(
    ("case", "action", "subject", "path"), BREAKING, ids=[c[0] for c in BREAKING]
)
def test_a_change_that_breaks_the_policy_names_it(
    case: str, action: str, subject: Any, path: tuple[Any, ...]
) -> None:
    held, _ = define_policy(logistics_registry(), customs_policy(), "t", at=AT)
    with pytest.raises(GraphCrmError) as caught:
        _apply(held, action, subject)
    assert caught.value.code == "INCOMPATIBLE_CHANGE"
    assert caught.value.path == ("policies", "customs-delay", *path)
    assert "'customs-delay'" in caught.value.message
    # refused means unchanged: the held registry still compiles its policy
    compile_policy(held, held.policy("customs-delay"))
    # without the policy the same change goes through
    _apply(logistics_registry(), action, subject)


def test_check_policies_on_a_registry_built_by_hand() -> None:
    held, _ = define_policy(logistics_registry(), customs_policy(), "t", at=AT)
    check_policies(held)
    relations = {k: v for k, v in held.relation_types.items() if k != "FILED"}
    with pytest.raises(GraphCrmError) as caught:
        check_policies(replace(held, relation_types=relations))
    assert caught.value.path == ("policies", "customs-delay", "signals", "complaints", "relation")
    dropped, _ = held.drop_policy("customs-delay", actor="t", at=AT)
    dropped.drop_relation_type("FILED", populated=False, actor="t", at=AT)
