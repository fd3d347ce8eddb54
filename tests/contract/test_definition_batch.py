"""Definitions applied together: one registry version, or nothing (both backends)."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import (
    GraphCrmError,
    IncompatibleChange,
    InvalidInput,
    LimitExceeded,
    UnknownType,
)
from graph_crm.model.registry import ChangeKind
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation
from tests.contract.audit_log import everything
from tests.contract.logistics import ENTITY_TYPES, RELATION_TYPES, customs_policy
from tests.contract.snapshot import snapshot

DEFINE_ENTITY = ChangeKind.DEFINE_ENTITY_TYPE
DEFINE_RELATION = ChangeKind.DEFINE_RELATION_TYPE
BROKER: dict[str, Any] = {
    "name": "Broker",
    "properties": [{"name": "licence", "kind": "STRING", "unique": True}],
}


def logistics_operations() -> list[DefinitionOperation]:
    """The logistics types and their policy, relation types after the types they name."""
    return [
        *(DefinitionOperation(DEFINE_ENTITY, definition) for definition in ENTITY_TYPES),
        *(DefinitionOperation(DEFINE_RELATION, definition) for definition in RELATION_TYPES),
        DefinitionOperation(ChangeKind.DEFINE_IMPACT_POLICY, customs_policy()),
    ]


async def test_a_batch_is_one_registry_version_with_a_record_per_change(
    store: GraphStore,
) -> None:
    await store.define_entity_type({"name": "Spare"}, actor="alice")
    operations = logistics_operations()

    registry = await store.apply_definitions(operations, actor="config")

    assert registry.version == 2
    assert (await store.registry()) == registry
    assert sorted(registry.entity_types) == sorted(
        ["Spare", *(definition["name"] for definition in ENTITY_TYPES)]
    )
    assert registry.relation_type("ROUTED_VIA").to_type == "Warehouse"
    assert list(registry.policies) == ["customs-delay"]
    changes = await store.registry_changes(since_version=1)
    assert [(c.version, c.step, c.name) for c in changes] == [
        (2, step, operation.definition["name"]) for step, operation in enumerate(operations)
    ]
    assert {c.actor for c in changes} == {"config"}
    records = await everything(store, actor="config")
    assert len(records) == len(operations)
    assert {record.summary["version"] for record in records} == {2}
    assert sorted(record.type_name or "" for record in records) == sorted(c.name for c in changes)


async def test_a_misspelled_relation_target_refuses_the_whole_batch(store: GraphStore) -> None:
    await store.define_entity_type({"name": "Spare"}, actor="alice")
    before = await snapshot(store)
    misspelled = {"name": "STORED_AT", "from": "Shipment", "to": "Warehous"}
    operations = [
        DefinitionOperation(DEFINE_ENTITY, ENTITY_TYPES[0]),
        DefinitionOperation(DEFINE_ENTITY, ENTITY_TYPES[1]),
        DefinitionOperation(DEFINE_RELATION, misspelled),
    ]

    with pytest.raises(UnknownType) as refused:
        await store.apply_definitions(operations, actor="config")

    assert refused.value.path == ("definitions", 2, "to")
    assert "STORED_AT" in refused.value.message
    assert "'Warehous' does not exist" in refused.value.message
    assert await snapshot(store) == before
    assert (await store.registry()).version == 1
    assert len(await everything(store)) == 1


async def test_a_refused_batch_reports_every_problem_where_its_caller_put_it(
    store: GraphStore,
) -> None:
    operations = [
        DefinitionOperation(DEFINE_ENTITY, {"name": "Port", "properties": "none"}, ("types", 0)),
        DefinitionOperation(DEFINE_ENTITY, ENTITY_TYPES[0], ("types", 1)),
        DefinitionOperation(DEFINE_RELATION, {"name": "X", "from": "Warehouse"}, ("rels", 0)),
        DefinitionOperation(DEFINE_RELATION, {**RELATION_TYPES[0], "to": "Nowhere"}, ("rels", 1)),
    ]

    with pytest.raises(InvalidInput) as refused:
        await store.apply_definitions(operations, actor="config")

    paths = [issue.path for issue in refused.value.issues]
    assert paths == [("types", 0, "properties"), ("rels", 0, "to")]
    assert refused.value.issues[1].message.startswith("relation type 'X': ")
    assert (await store.registry()).version == 0


async def test_problems_found_against_the_registry_are_all_reported(store: GraphStore) -> None:
    operations = [
        DefinitionOperation(DEFINE_RELATION, {"name": "A_TO_B", "from": "A", "to": "B"}),
        DefinitionOperation(DEFINE_ENTITY, {"name": "A"}),
        DefinitionOperation(DEFINE_RELATION, {"name": "A_TO_C", "from": "A", "to": "C"}),
    ]

    with pytest.raises(UnknownType) as refused:
        await store.apply_definitions(operations, actor="config")

    assert [issue.path for issue in refused.value.issues] == [
        ("definitions", 0, "from"),
        ("definitions", 2, "to"),
    ]
    assert (await store.registry()).version == 0


async def test_the_validators_judge_the_registry_the_batch_makes(store: GraphStore) -> None:
    await store.apply_definitions(logistics_operations(), actor="config")
    shipment = next(d for d in ENTITY_TYPES if d["name"] == "Shipment")
    renamed = [
        {"name": "amount", "kind": "FLOAT"} if p["name"] == "value" else p
        for p in shipment["properties"]
    ]
    policy = customs_policy()
    moved = {
        **policy,
        "signals": {**policy["signals"], "exposure": {"step": 1, "property": "amount"}},
    }
    alter_shipment = DefinitionOperation(
        ChangeKind.ALTER_ENTITY_TYPE, {**shipment, "properties": renamed}
    )
    alter_policy = DefinitionOperation(ChangeKind.ALTER_IMPACT_POLICY, moved)

    with pytest.raises(IncompatibleChange):  # alone, the rename breaks the stored policy
        await store.apply_definitions([alter_shipment], actor="config")
    registry = await store.apply_definitions([alter_shipment, alter_policy], actor="config")

    assert registry.version == 2
    assert registry.policy("customs-delay")["signals"]["exposure"]["property"] == "amount"


async def test_the_rules_of_populated_types_hold_in_a_batch(store: GraphStore) -> None:
    await store.apply_definitions(logistics_operations(), actor="config")
    await store.upsert_entities("Warehouse", [{"key": "W1", "name": "Rotterdam"}])
    before = await snapshot(store)
    warehouse: dict[str, Any] = {
        "name": "Warehouse",
        "properties": [
            {"name": "city", "kind": "STRING"},
            {"name": "open", "kind": "BOOLEAN", "required": True, "default": True},
        ],
    }
    alter = DefinitionOperation(ChangeKind.ALTER_ENTITY_TYPE, warehouse)

    with pytest.raises(IncompatibleChange) as refused:  # 'name' holds a stored value
        await store.apply_definitions(
            [DefinitionOperation(DEFINE_ENTITY, BROKER), alter], actor="x"
        )
    assert refused.value.path == ("definitions", 1, "properties", "name")
    assert await snapshot(store) == before

    warehouse["properties"].insert(0, {"name": "name", "kind": "STRING"})
    registry = await store.apply_definitions(
        [DefinitionOperation(DEFINE_ENTITY, BROKER), alter], actor="config"
    )
    assert registry.version == 2
    [w1] = await store.get_entities(["Warehouse:W1"])
    assert w1 is not None
    assert w1.properties == {"name": "Rotterdam", "open": True}  # back-filled


async def test_a_type_defined_in_a_batch_is_new_and_unique_values_hold(
    store: GraphStore,
) -> None:
    redefined = {
        "name": "Broker",
        "properties": [*BROKER["properties"], {"name": "x", "kind": "INT"}],
    }
    registry = await store.apply_definitions(
        [
            DefinitionOperation(DEFINE_ENTITY, BROKER),
            DefinitionOperation(ChangeKind.ALTER_ENTITY_TYPE, redefined),
            DefinitionOperation(
                DEFINE_RELATION, {"name": "ADVISES", "from": "Broker", "to": "Broker"}
            ),
        ],
        actor="config",
    )
    assert [p.name for p in registry.entity_type("Broker").properties] == ["licence", "x"]
    await store.upsert_entities("Broker", [{"key": "B1", "licence": "L-1"}])
    with pytest.raises(GraphCrmError) as taken:
        await store.upsert_entities("Broker", [{"key": "B2", "licence": "L-1"}])
    assert taken.value.code == "UNIQUE_VIOLATION"


async def test_a_dry_run_checks_and_writes_nothing(store: GraphStore) -> None:
    before = await snapshot(store)
    planned = await store.apply_definitions(logistics_operations(), actor="x", dry_run=True)
    assert planned.version == 1
    assert "customs-delay" in planned.policies
    assert await snapshot(store) == before
    assert (await store.registry()).version == 0
    with pytest.raises(UnknownType):
        await store.apply_definitions(logistics_operations()[5:], actor="x", dry_run=True)


async def test_an_empty_batch_changes_nothing(store: GraphStore) -> None:
    await store.define_entity_type(BROKER)
    assert (await store.apply_definitions([], actor="x")).version == 1
    assert len(await store.registry_changes()) == 1


async def test_a_batch_too_large_is_refused_before_the_store_is_asked(store: GraphStore) -> None:
    operations = [DefinitionOperation(DEFINE_ENTITY, {"name": f"T{i}"}) for i in range(2_001)]
    with pytest.raises(LimitExceeded):
        await store.apply_definitions(operations, actor="x")
    assert (await store.registry()).version == 0
