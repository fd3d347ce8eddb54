"""Patch-style definition changes through the store's one primitive, on both backends:
labels kept in the registry, patches in batches, every refused property named."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import IncompatibleChange, InvalidInput, UnknownType
from graph_crm.model.registry import ChangeKind
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation, PatchKind
from tests.contract.crm import load_chain
from tests.contract.snapshot import snapshot
from tests.store_fixtures import OpenTwin


def op(kind: ChangeKind | PatchKind, definition: Any) -> DefinitionOperation:
    return DefinitionOperation(kind, definition)


async def test_labels_are_stored_in_the_registry(store: GraphStore, open_twin: OpenTwin) -> None:
    await store.define_entity_type(
        {
            "name": "CustomsBroker",
            "label": "报关行",
            "properties": [{"name": "licence", "kind": "STRING", "label": "执照 <b>"}],
        }
    )
    await store.define_entity_type({"name": "Warehouse", "label": "仓库"})
    await store.define_relation_type(
        {"name": "CLEARS_FOR", "from": "CustomsBroker", "to": "Warehouse", "label": "清关"}
    )
    twin = await open_twin()
    registry = await twin.registry()
    broker = registry.entity_type("CustomsBroker")
    assert (broker.label, broker.properties[0].label) == ("报关行", "执照 <b>")
    assert registry.relation_type("CLEARS_FOR").label == "清关"
    [*_, last] = await twin.registry_changes()
    assert last.after is not None
    assert last.after["label"] == "清关"


async def test_a_batch_defines_a_type_then_patches_it(store: GraphStore) -> None:
    registry = await store.apply_definitions(
        [
            op(ChangeKind.DEFINE_ENTITY_TYPE, {"name": "Depot"}),
            op(
                PatchKind.ADD_PROPERTY,
                {"type": "Depot", "property": {"name": "code", "kind": "STRING"}},
            ),
            op(
                PatchKind.ALTER_TYPE_DETAILS,
                {"type": "Depot", "label": "仓", "labelProperty": "code"},
            ),
            op(ChangeKind.DEFINE_RELATION_TYPE, {"name": "FEEDS", "from": "Depot", "to": "Depot"}),
            op(
                PatchKind.ADD_PROPERTY,
                {"type": "FEEDS", "property": {"name": "km", "kind": "FLOAT"}},
            ),
        ],
        actor="officer",
    )
    assert registry.version == 1
    depot = registry.entity_type("Depot")
    assert (depot.label, depot.label_property, [p.name for p in depot.properties]) == (
        "仓",
        "code",
        ["code"],
    )
    assert [p.name for p in registry.relation_type("FEEDS").properties] == ["km"]
    changes = await store.registry_changes()
    assert [(c.version, c.step, c.kind.value) for c in changes] == [
        (1, 0, "DEFINE_ENTITY_TYPE"),
        (1, 1, "ALTER_ENTITY_TYPE"),
        (1, 2, "ALTER_ENTITY_TYPE"),
        (1, 3, "DEFINE_RELATION_TYPE"),
        (1, 4, "ALTER_RELATION_TYPE"),
    ]


async def test_patches_on_a_populated_type_follow_the_evolution_rules(store: GraphStore) -> None:
    await load_chain(store)
    before = await snapshot(store), (await store.registry()).version
    with pytest.raises(IncompatibleChange) as dropped:
        await store.apply_definitions(
            [
                op(PatchKind.DROP_PROPERTY, {"type": "Customer", "name": "revenue"}),
                op(PatchKind.DROP_PROPERTY, {"type": "Customer", "name": "tier"}),
                op(
                    PatchKind.ADD_PROPERTY,
                    {"type": "Nope", "property": {"name": "a", "kind": "INT"}},
                ),
            ]
        )
    assert [(i.code, i.path) for i in dropped.value.issues] == [
        ("INCOMPATIBLE_CHANGE", ("definitions", 0, "name")),
        ("INCOMPATIBLE_CHANGE", ("definitions", 1, "name")),
        ("UNKNOWN_TYPE", ("definitions", 2, "type")),
    ]
    assert (await snapshot(store), (await store.registry()).version) == before
    registry = await store.apply_definitions(
        [
            op(
                PatchKind.ADD_PROPERTY,
                {
                    "type": "Customer",
                    "property": {
                        "name": "segment",
                        "kind": "STRING",
                        "default": "SME",
                        "required": True,
                    },
                },
            )
        ]
    )
    [acme] = await store.get_entities(["Customer:ACME"])
    assert acme is not None
    assert acme.properties["segment"] == "SME"
    assert registry.entity_type("Customer").spec("segment") is not None


async def test_an_alter_refusal_names_every_property_holding_data(store: GraphStore) -> None:
    await load_chain(store)
    customer = (await store.registry()).entity_type("Customer")
    kept = [
        spec.model_dump(by_alias=True)
        for spec in customer.properties
        if spec.name not in ("revenue", "since")
    ]
    with pytest.raises(IncompatibleChange) as refused:
        await store.alter_entity_type({"name": "Customer", "properties": kept})
    assert [i.path for i in refused.value.issues] == [
        ("properties", "revenue"),
        ("properties", "since"),
    ]
    assert "revenue" in refused.value.issues[0].message
    assert "since" in refused.value.issues[1].message


async def test_a_patch_names_its_type_unambiguously(store: GraphStore) -> None:
    await store.define_entity_type({"name": "HR"})
    with pytest.raises(UnknownType):
        await store.apply_definitions([op(PatchKind.DROP_PROPERTY, {"type": "HR_X", "name": "a"})])
    await store.define_relation_type({"name": "HR", "from": "HR", "to": "HR"})
    with pytest.raises(InvalidInput, match="names both an entity type and a relation type"):
        await store.apply_definitions(
            [op(PatchKind.ALTER_TYPE_DETAILS, {"type": "HR", "label": "人事"})]
        )
    assert (await store.registry()).version == 2
