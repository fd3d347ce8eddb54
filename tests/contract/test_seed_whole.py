"""A seed is checked whole before anything is written, then its definitions are applied
as one registry change (graph_crm/services/seed.py), on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import GraphCrmError, InvalidInput, NotFound, UniqueViolation, UnknownType
from graph_crm.services.seed import apply_seed
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation, PatchKind
from tests.contract.audit_log import everything
from tests.contract.logistics import ENTITY_TYPES, RELATION_TYPES, customs_policy
from tests.contract.snapshot import snapshot

WAREHOUSE: dict[str, Any] = {
    "name": "Warehouse",
    "properties": [{"name": "name", "kind": "STRING"}],
}
SHIPMENT: dict[str, Any] = {
    "name": "Shipment",
    "properties": [{"name": "value", "kind": "FLOAT", "required": True}],
}


def seed(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "entityTypes": [WAREHOUSE, SHIPMENT],
        "relationTypes": [{"name": "ROUTED_VIA", "from": "Shipment", "to": "Warehouse"}],
        "entities": {
            "Warehouse": [{"key": "W1", "name": "Rotterdam"}],
            "Shipment": [{"key": "S1", "value": 10.0}, {"key": "S2", "value": 20.0}],
        },
        "links": {"ROUTED_VIA": [{"from": "S1", "to": "W1"}, {"from": "S2", "to": "W1"}]},
    }
    data.update(changes)
    return data


async def test_a_misspelled_relation_target_leaves_nothing_defined(store: GraphStore) -> None:
    misspelled = [{"name": "ROUTED_VIA", "from": "Shipment", "to": "Warehous"}]
    before = await snapshot(store)

    with pytest.raises(UnknownType) as refused:
        await apply_seed(store, seed(relationTypes=misspelled), actor="cli")

    assert refused.value.path == ("relationTypes", 0, "to")
    assert "'Warehous' does not exist" in refused.value.message
    registry = await store.registry()
    assert (registry.version, registry.entity_types) == (0, {})  # Warehouse stayed, before
    assert await snapshot(store) == before
    assert await everything(store) == []


async def test_the_definitions_are_one_registry_change(store: GraphStore) -> None:
    result = await apply_seed(store, seed(), actor="cli")

    assert result.defined == ["Warehouse", "Shipment", "ROUTED_VIA"]
    assert result.written == {"Warehouse": 1, "Shipment": 2}
    assert result.linked == {"ROUTED_VIA": 2}
    changes = await store.registry_changes()
    assert [(c.version, c.step, c.name) for c in changes] == [
        (1, 0, "Warehouse"),
        (1, 1, "Shipment"),
        (1, 2, "ROUTED_VIA"),
    ]
    again = await apply_seed(store, seed(), actor="cli")
    assert (again.defined, again.altered, again.written) == (
        [],
        [],
        {"Warehouse": 0, "Shipment": 0},
    )
    assert (await store.registry()).version == 1


async def test_a_seed_may_carry_its_impact_policies(store: GraphStore) -> None:
    data = {
        "entityTypes": ENTITY_TYPES,
        "relationTypes": RELATION_TYPES,
        "impactPolicies": [customs_policy()],
    }
    result = await apply_seed(store, data, actor="cli")
    assert result.policies == ["customs-delay"]
    registry = await store.registry()
    assert (registry.version, list(registry.policies)) == (1, ["customs-delay"])
    assert (await apply_seed(store, data, actor="cli")).policies == []
    changed = {**data, "impactPolicies": [customs_policy(description="Changed")]}
    assert (await apply_seed(store, changed, actor="cli")).policies == ["customs-delay"]
    assert (await store.registry()).version == 2


async def test_bad_records_refuse_the_whole_seed_before_any_definition(
    store: GraphStore,
) -> None:
    entities = {
        "Warehouse": [{"key": "W1", "name": "Rotterdam"}],
        "Shipment": [{"key": "S1", "value": 10.0}, {"key": "S2", "value": "lots"}, {"key": "S3"}],
    }

    with pytest.raises(InvalidInput) as refused:
        await apply_seed(store, seed(entities=entities), actor="cli")

    assert [issue.path for issue in refused.value.issues] == [
        ("entities", "Shipment", 1, "value"),
        ("entities", "Shipment", 2, "value"),
    ]
    assert (await store.registry()).version == 0
    assert await everything(store) == []


async def test_every_link_end_must_exist_stored_or_in_the_seed(store: GraphStore) -> None:
    await apply_seed(store, seed(), actor="cli")
    before = await snapshot(store)
    later = seed(
        entityTypes=[
            WAREHOUSE,
            {**SHIPMENT, "properties": [*SHIPMENT["properties"], {"name": "eta", "kind": "DATE"}]},
        ],
        entities={"Shipment": [{"key": "S3", "value": 5.0}]},
        links={"ROUTED_VIA": [{"from": "S3", "to": "W1"}, {"from": "S1", "to": "W9"}]},
    )

    with pytest.raises(NotFound) as refused:
        await apply_seed(store, later, actor="cli")

    assert refused.value.path == ("links", "ROUTED_VIA", 1, "to")
    assert "Warehouse:W9" in refused.value.message
    assert await snapshot(store) == before  # Shipment was not altered, S3 not written

    fixed = {**later, "links": {"ROUTED_VIA": [{"from": "S3", "to": "W1"}]}}
    result = await apply_seed(store, fixed, actor="cli")
    assert (result.altered, result.linked) == (["Shipment"], {"ROUTED_VIA": 1})


async def test_a_label_property_set_since_is_kept_by_the_seed(store: GraphStore) -> None:
    await apply_seed(store, seed(), actor="cli")
    await store.alter_entity_type({**WAREHOUSE, "labelProperty": "name"}, actor="officer")
    result = await apply_seed(store, seed(), actor="cli")
    assert result.altered == []
    assert (await store.registry()).entity_type("Warehouse").label_property == "name"


async def test_display_labels_set_since_are_kept_and_a_seed_may_set_its_own(
    store: GraphStore,
) -> None:
    await apply_seed(store, seed(), actor="cli")
    await store.apply_definitions(
        [
            DefinitionOperation(
                PatchKind.ALTER_TYPE_DETAILS, {"type": "Warehouse", "label": "仓库"}
            ),
            DefinitionOperation(
                PatchKind.ALTER_PROPERTY,
                {
                    "type": "Warehouse",
                    "property": {"name": "name", "kind": "STRING", "label": "名称"},
                },
            ),
        ],
        actor="officer",
    )
    assert (await apply_seed(store, seed(), actor="cli")).altered == []
    warehouse = (await store.registry()).entity_type("Warehouse")
    assert (warehouse.label, warehouse.properties[0].label) == ("仓库", "名称")

    labelled = {**WAREHOUSE, "label": "货仓"}
    result = await apply_seed(store, seed(entityTypes=[labelled, SHIPMENT]), actor="cli")
    assert result.altered == ["Warehouse"]
    warehouse = (await store.registry()).entity_type("Warehouse")
    assert (warehouse.label, warehouse.properties[0].label) == ("货仓", "名称")


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"entityTypes": {"name": "Warehouse"}}, ("entityTypes",)),
        ({"impactPolicies": [{"name": "p", "source": "Warehouse"}]}, ("impactPolicies", 0)),
        ({"entities": [{"key": "W1"}]}, ("entities",)),
        ({"entities": {"Warehouse": {"key": "W1"}}}, ("entities", "Warehouse")),
        ({"entities": {"Ghost": [{"key": "G1"}]}}, ("entities", "Ghost")),
        ({"entities": {"Warehouse": [{"key": " W1\u200b"}]}}, ("entities", "Warehouse", 0, "key")),
        (
            {"links": {"ROUTED_VIA": [{"from": "S1", "to": "W1", "x": 1}]}},
            ("links", "ROUTED_VIA", 0),
        ),
        (
            {"links": {"NOPE`]->() DETACH DELETE n //": []}},
            ("links", "NOPE`]->() DETACH DELETE n //"),
        ),
    ],
)
async def test_a_malformed_seed_is_refused_at_its_path_and_changes_nothing(
    store: GraphStore, changes: dict[str, Any], path: tuple[str | int, ...]
) -> None:
    await apply_seed(store, seed(), actor="cli")
    before = await snapshot(store)
    with pytest.raises(GraphCrmError) as refused:
        await apply_seed(store, {**seed(), **changes}, actor="cli")
    assert refused.value.issues[0].path[: len(path)] == path, refused.value.issues
    assert await snapshot(store) == before


async def test_a_unique_value_held_by_a_stored_entity_refuses_the_seed_whole(
    store: GraphStore,
) -> None:
    """Found before the definitions apply, so no type, version or row of the seed lands
    (the data would be refused whole at write time too: test_write_batch.py)."""
    coded = {**WAREHOUSE, "properties": [{"name": "code", "kind": "STRING", "unique": True}]}
    await apply_seed(store, seed(entityTypes=[coded, SHIPMENT], entities={}, links={}), actor="cli")
    await store.upsert_entities("Warehouse", [{"key": "W0", "code": "RTM"}], actor="officer")
    before = await snapshot(store)
    later = seed(
        entityTypes=[coded, {**SHIPMENT, "description": "Changed"}],
        entities={
            "Shipment": [{"key": "S1", "value": 10.0}],
            "Warehouse": [{"key": "W1", "code": "AMS"}, {"key": "W2", "code": "RTM"}],
        },
        links={"ROUTED_VIA": [{"from": "S1", "to": "W1"}]},
    )

    with pytest.raises(UniqueViolation) as refused:
        await apply_seed(store, later, actor="cli")

    assert [issue.path for issue in refused.value.issues] == [("entities", "Warehouse", 1, "code")]
    assert "Warehouse:W0" in refused.value.message
    assert await snapshot(store) == before  # Shipment not altered, S1 and W1 not written
    assert (await store.registry()).version == 1
