"""The registry runs the validators it was given on every change, and keeps them.

This is how a higher layer's rule (stored impact policies, formulas next) guards the
registry without the model importing it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph_crm.errors import IncompatibleChange
from graph_crm.model.registry import ChangeKind, Registry, RegistryChange
from graph_crm.model.types import EntityType, parse_relation_type

AT = datetime(2026, 12, 1, tzinfo=UTC)


def test_every_change_is_shown_to_the_validators_and_they_travel_with_the_registry() -> None:
    seen: list[tuple[int, ChangeKind]] = []

    def record(registry: Registry, change: RegistryChange) -> None:
        assert registry.version == change.version
        seen.append((change.version, change.kind))

    registry = Registry(validators=(record,))
    registry, _ = registry.define_entity_type(EntityType(name="Port"), actor="t", at=AT)
    registry, _ = registry.define_policy("p", {"name": "p"}, actor="t", at=AT)
    registry, _ = registry.drop_policy("p", actor="t", at=AT)
    assert seen == [
        (1, ChangeKind.DEFINE_ENTITY_TYPE),
        (2, ChangeKind.DEFINE_IMPACT_POLICY),
        (3, ChangeKind.DROP_IMPACT_POLICY),
    ]
    assert registry.validators == (record,)


def test_a_validator_that_raises_refuses_the_change() -> None:
    def no_ships(registry: Registry, change: RegistryChange) -> None:
        if "Ship" in registry.entity_types:
            raise IncompatibleChange("no ships here")

    registry = Registry(validators=(no_ships,))
    with pytest.raises(IncompatibleChange, match="no ships"):
        registry.define_entity_type(EntityType(name="Ship"), actor="t", at=AT)
    assert registry.entity_types == {}
    without, _ = Registry().define_entity_type(EntityType(name="Ship"), actor="t", at=AT)
    assert "Ship" in without.entity_types


def test_stored_registries_take_validators_and_compare_without_them() -> None:
    calls: list[int] = []

    def count(registry: Registry, change: RegistryChange) -> None:
        calls.append(change.version)

    built, _ = Registry().define_entity_type(EntityType(name="Port"), actor="t", at=AT)
    stored = [(item["kind"], item["definition"]) for item in built.definitions_json()]
    loaded = Registry.from_stored(built.version, stored, validators=[count])
    assert loaded == built  # validators are behaviour, not content
    relation = parse_relation_type({"name": "NEXT", "from": "Port", "to": "Port"})
    loaded.define_relation_type(relation, actor="t", at=AT)
    assert calls == [2]
