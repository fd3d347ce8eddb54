"""Patches made whole (graph_crm/model/type_patch.py): pure."""

from __future__ import annotations

import pytest

from graph_crm.errors import InvalidInput, UnknownProperty, UnknownType
from graph_crm.model.registry import Registry
from graph_crm.model.type_patch import (
    patch_target,
    with_details,
    with_property_added,
    with_property_dropped,
    with_property_replaced,
)
from graph_crm.model.types import PropertySpec, parse_entity_type, parse_relation_type

WAREHOUSE = parse_entity_type(
    {
        "name": "Warehouse",
        "label": "仓库",
        "labelProperty": "name",
        "properties": [
            {"name": "name", "kind": "STRING"},
            {"name": "opened", "kind": "DATE", "default": "2020-01-01"},
        ],
    }
)
ROUTED = parse_relation_type({"name": "ROUTED_VIA", "from": "Shipment", "to": "Warehouse"})


def test_a_property_is_added_replaced_in_place_and_dropped() -> None:
    grown = with_property_added(WAREHOUSE, PropertySpec(name="dock", kind="INT"))
    assert [p.name for p in grown.properties] == ["name", "opened", "dock"]
    assert (grown.label, grown.label_property) == ("仓库", "name")
    opened = PropertySpec(name="opened", kind="DATE", label="开业")
    replaced = with_property_replaced(grown, opened)
    assert [p.name for p in replaced.properties] == ["name", "opened", "dock"]
    assert replaced.spec("opened") == opened
    assert [p.name for p in with_property_dropped(replaced, "dock").properties] == [
        "name",
        "opened",
    ]


def test_patches_are_refused_at_the_patch_s_own_paths() -> None:
    with pytest.raises(InvalidInput) as twice:
        with_property_added(WAREHOUSE, PropertySpec(name="name", kind="STRING"))
    assert twice.value.path == ("property", "name")
    with pytest.raises(UnknownProperty) as missing:
        with_property_dropped(WAREHOUSE, "nope")
    assert missing.value.path == ("name",)
    with pytest.raises(InvalidInput, match="labelProperty") as label:
        with_property_dropped(WAREHOUSE, "name")
    assert label.value.path == ("name",)
    with pytest.raises(InvalidInput) as kind:
        with_property_replaced(WAREHOUSE, PropertySpec(name="name", kind="INT"))
    assert kind.value.path == ("property",)
    with pytest.raises(InvalidInput) as relation:
        with_details(ROUTED, {"labelProperty": "x"})
    assert relation.value.path == ("labelProperty",)
    with pytest.raises(InvalidInput) as unknown:
        with_details(WAREHOUSE, {"name": "Other"})
    assert unknown.value.path == ("name",)


def test_details_keep_what_they_leave_out_and_clear_what_is_null() -> None:
    cleared = with_details(WAREHOUSE, {"label": None, "labelProperty": None})
    assert (cleared.label, cleared.label_property) == (None, None)
    assert cleared.properties == WAREHOUSE.properties
    described = with_details(WAREHOUSE, {"description": "Bonded"})
    assert (described.description, described.label) == ("Bonded", "仓库")
    assert with_details(described, {"description": None}).description == ""


def test_a_patch_target_is_one_type() -> None:
    registry = Registry(entity_types={"HR": parse_entity_type({"name": "HR"})})
    assert patch_target(registry, "HR").name == "HR"
    with pytest.raises(UnknownType):
        patch_target(registry, "HX")
    both = Registry(
        entity_types=registry.entity_types,
        relation_types={"HR": parse_relation_type({"name": "HR", "from": "HR", "to": "HR"})},
    )
    with pytest.raises(InvalidInput, match="both"):
        patch_target(both, "HR")
