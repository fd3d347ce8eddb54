"""Impact policies are kept in the registry: versioned, recorded, persisted like types."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph_crm.errors import TypeExists, UnknownType
from graph_crm.model.registry import (
    ENTITY_TYPE,
    IMPACT_POLICY,
    ChangeKind,
    Registry,
)
from graph_crm.model.types import EntityType

AT = datetime(2026, 11, 23, tzinfo=UTC)
POLICY = {"name": "customs-delay", "source": "Warehouse", "target": "Customer"}


def test_policies_are_defined_altered_and_dropped_with_history() -> None:
    registry = Registry.from_definitions(1, [EntityType(name="Warehouse")], [])
    defined, change = registry.define_policy("customs-delay", POLICY, actor="officer", at=AT)
    assert defined.version == 2
    assert defined.policy("customs-delay") == POLICY
    assert (change.kind, change.before, change.after) == (
        ChangeKind.DEFINE_IMPACT_POLICY,
        None,
        POLICY,
    )
    assert change.kind.definition_kind == IMPACT_POLICY
    with pytest.raises(TypeExists):
        defined.define_policy("customs-delay", POLICY, actor="officer", at=AT)

    changed = {**POLICY, "description": "six days at Rotterdam"}
    altered, change = defined.alter_policy("customs-delay", changed, actor="officer", at=AT)
    assert (change.before, change.after) == (POLICY, changed)
    dropped, change = altered.drop_policy("customs-delay", actor="officer", at=AT)
    assert dropped.policies == {}
    assert (change.kind, change.after) == (ChangeKind.DROP_IMPACT_POLICY, None)
    with pytest.raises(UnknownType):
        dropped.policy("customs-delay")
    # The types were never touched.
    assert dropped.entity_types == registry.entity_types


def test_stored_definitions_round_trip_with_policies() -> None:
    registry = Registry.from_definitions(1, [EntityType(name="Warehouse")], [])
    registry, _ = registry.define_policy("customs-delay", POLICY, actor="officer", at=AT)
    stored = [(item["kind"], item["definition"]) for item in registry.definitions_json()]
    assert [kind for kind, _ in stored] == [ENTITY_TYPE, IMPACT_POLICY]
    assert Registry.from_stored(registry.version, stored) == registry
    with pytest.raises(ValueError, match="unknown stored definition kind"):
        Registry.from_stored(1, [("macro", {})])
