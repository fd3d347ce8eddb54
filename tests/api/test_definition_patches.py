"""Patch-style definition mutations over HTTP, on both backends: each is one registry
change, audited, refused as data at its argument's path with the store unchanged."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from graph_crm.store.base import GraphStore
from tests.api.definition_ops import (
    ADD_PROPERTY,
    ALTER_PROPERTY,
    ALTER_RELATION_TYPE,
    ALTER_TYPE_DETAILS,
    DROP_ENTITY_TYPE,
    DROP_PROPERTY,
    DROP_RELATION_TYPE,
    HISTORY,
)
from tests.api.graphql import ALTER_ENTITY_TYPE, data, mutate, succeed
from tests.contract.logistics import STATUSES, load_logistics
from tests.contract.snapshot import snapshot


async def _state(store: GraphStore) -> tuple[int, list[str]]:
    return (await store.registry()).version, await snapshot(store)


async def _refused(
    client: httpx.AsyncClient, store: GraphStore, query: str, field: str, **variables: Any
) -> dict[str, Any]:
    before = await _state(store)
    result = await mutate(client, query, field, **variables)
    assert result["__typename"] == "Error", result
    assert await _state(store) == before
    return result


async def _property_refused(
    client: httpx.AsyncClient,
    store: GraphStore,
    field: str,
    type_name: str,
    spec: dict[str, Any],
) -> dict[str, Any]:
    query = ADD_PROPERTY if field == "addProperty" else ALTER_PROPERTY
    return await _refused(client, store, query, field, type=type_name, property=spec)


async def test_add_property_to_a_populated_type_is_one_audited_change(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    registry = await load_logistics(store)
    before = await store.get_entities(["Warehouse:W1"])
    added = await succeed(
        client,
        ADD_PROPERTY,
        "addProperty",
        type="Warehouse",
        property={"name": "capacity", "kind": "INT", "label": "容量", "description": "pallets"},
    )
    assert added["schemaVersion"] == registry.version + 1
    assert added["relationType"] is None
    warehouse = added["entityType"]
    assert [p["name"] for p in warehouse["properties"]] == ["name", "capacity"]
    assert warehouse["properties"][1]["label"] == "容量"
    assert await store.get_entities(["Warehouse:W1"]) == before  # nothing stored moved
    [change] = await store.registry_changes(since_version=registry.version)
    assert (change.kind.value, change.name, change.step) == ("ALTER_ENTITY_TYPE", "Warehouse", 0)
    audit = (await store.audit_log(type_name="Warehouse")).items[-1]
    assert (audit.action.value, audit.actor, audit.summary) == (
        "alter",
        change.actor,
        {"version": registry.version + 1},
    )
    assert audit.after is not None
    assert audit.after["properties"][1]["label"] == "容量"


async def test_required_property_needs_a_default_and_the_default_is_backfilled(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    refused = await _property_refused(
        client,
        store,
        "addProperty",
        "Warehouse",
        {"name": "region", "kind": "STRING", "required": True},
    )
    assert refused["code"] == "INCOMPATIBLE_CHANGE"
    assert refused["path"] == ["property"]
    await succeed(
        client,
        ADD_PROPERTY,
        "addProperty",
        type="Warehouse",
        property={"name": "region", "kind": "STRING", "required": True, "default": "EU"},
    )
    [w1] = await store.get_entities(["Warehouse:W1"])
    assert w1 is not None
    assert w1.properties["region"] == "EU"


async def test_alter_property_follows_the_evolution_rules(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    statuses = [*STATUSES, "LOST"]
    grown = await succeed(
        client,
        ALTER_PROPERTY,
        "alterProperty",
        type="Shipment",
        property={"name": "status", "kind": "ENUM", "values": statuses, "label": "状态"},
    )
    names = [p["name"] for p in grown["entityType"]["properties"]]
    assert names == ["status", "value", "promisedBy"]  # replaced in place
    assert grown["entityType"]["properties"][0]["values"] == statuses
    refused = await _property_refused(
        client, store, "alterProperty", "Shipment", {"name": "value", "kind": "STRING"}
    )
    assert (refused["code"], refused["path"]) == ("INCOMPATIBLE_CHANGE", ["property"])
    assert "FLOAT" in refused["message"]
    missing = await _property_refused(
        client, store, "alterProperty", "Shipment", {"name": "weight", "kind": "FLOAT"}
    )
    assert (missing["code"], missing["path"]) == ("UNKNOWN_PROPERTY", ["property", "name"])


async def test_drop_property_is_refused_while_the_type_holds_data(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    refused = await _refused(
        client, store, DROP_PROPERTY, "dropProperty", type="Shipment", name="value"
    )
    assert (refused["code"], refused["path"]) == ("INCOMPATIBLE_CHANGE", ["name"])
    assert "Shipment holds data" in refused["message"]
    await store.define_entity_type(
        {
            "name": "Depot",
            "properties": [{"name": "a", "kind": "INT"}, {"name": "b", "kind": "INT"}],
        }
    )
    dropped = await succeed(client, DROP_PROPERTY, "dropProperty", type="Depot", name="a")
    assert [p["name"] for p in dropped["entityType"]["properties"]] == ["b"]


async def test_an_alter_dropping_two_populated_properties_names_both(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    refused = await _refused(
        client,
        store,
        ALTER_ENTITY_TYPE,
        "alterEntityType",
        input={"name": "Shipment", "properties": [{"name": "promisedBy", "kind": "DATE"}]},
    )
    assert refused["code"] == "INCOMPATIBLE_CHANGE"
    assert [issue["path"] for issue in refused["issues"]] == [
        ["properties", "status"],
        ["properties", "value"],
    ]
    assert "status" in refused["issues"][0]["message"]
    assert "value" in refused["issues"][1]["message"]


async def test_alter_type_details_changes_only_what_it_is_given(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    before = await snapshot(store)
    customers = await store.get_entities(["Customer:CA"])
    labelled = await succeed(
        client,
        ALTER_TYPE_DETAILS,
        "alterTypeDetails",
        input={"type": "Customer", "label": " 客户 ", "description": "Who pays"},
    )
    customer = labelled["entityType"]
    assert (customer["label"], customer["description"]) == ("客户", "Who pays")
    assert await store.get_entities(["Customer:CA"]) == customers
    again = await succeed(
        client, ALTER_TYPE_DETAILS, "alterTypeDetails", input={"type": "Customer", "label": "客户"}
    )
    # the same label again is no change: no version, no history row
    assert again["schemaVersion"] == labelled["schemaVersion"]
    cleared = await succeed(
        client,
        ALTER_TYPE_DETAILS,
        "alterTypeDetails",
        input={"type": "Customer", "label": None, "labelProperty": "name"},
    )
    assert cleared["entityType"]["label"] is None
    assert cleared["entityType"]["description"] == "Who pays"
    assert cleared["entityType"]["labelProperty"] == "name"
    relation = await succeed(
        client,
        ALTER_TYPE_DETAILS,
        "alterTypeDetails",
        input={"type": "ROUTED_VIA", "label": "经由"},
    )
    assert relation["entityType"] is None
    assert relation["relationType"]["label"] == "经由"
    refused = await _refused(
        client,
        store,
        ALTER_TYPE_DETAILS,
        "alterTypeDetails",
        input={"type": "ROUTED_VIA", "labelProperty": "name"},
    )
    assert (refused["code"], refused["path"]) == ("INVALID_INPUT", ["labelProperty"])
    # the data is as it was: only definitions moved
    after = await snapshot(store)
    data_lines = [line for line in before if '"kind": "entity"' in line]
    assert data_lines == [line for line in after if '"kind": "entity"' in line]


@pytest.mark.parametrize(
    ("label", "needle"),
    [
        ("x" * 101, "at most 100"),
        ("   ", "empty"),
        ("Broker\u0000", "U+0000"),
        ("Broker\nline", "U+000A"),
        ("abc\u202edcba", "U+202E"),
        ("zero\u200bwidth", "U+200B"),
    ],
)
async def test_hostile_labels_are_refused_at_their_path(
    client: httpx.AsyncClient, store: GraphStore, label: str, needle: str
) -> None:
    await load_logistics(store)
    refused = await _refused(
        client,
        store,
        ALTER_TYPE_DETAILS,
        "alterTypeDetails",
        input={"type": "Warehouse", "label": label},
    )
    assert (refused["code"], refused["path"]) == ("INVALID_INPUT", ["label"])
    assert needle in refused["message"]
    on_property = await _property_refused(
        client,
        store,
        "addProperty",
        "Warehouse",
        {"name": "dock", "kind": "STRING", "label": label},
    )
    assert on_property["path"] == ["property", "label"]


async def test_html_in_a_label_is_stored_as_text(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    script = '<script>alert("x")</script> & <b>报关</b>'
    done = await succeed(
        client, ALTER_TYPE_DETAILS, "alterTypeDetails", input={"type": "Warehouse", "label": script}
    )
    assert done["entityType"]["label"] == script
    listed = await data(client, '{ entityType(name: "Warehouse") { label } }')
    assert listed["entityType"]["label"] == script
    assert (await store.registry()).entity_type("Warehouse").label == script


@pytest.mark.parametrize(
    ("type_name", "code"),
    [
        ("Warehouse`) DETACH DELETE n //", "INVALID_INPUT"),
        ("Ware house", "INVALID_INPUT"),
        ("仓库", "INVALID_INPUT"),
        ("Warehous", "UNKNOWN_TYPE"),
        ("x" * 5000, "INVALID_INPUT"),
    ],
)
async def test_hostile_type_names_are_refused_before_any_query(
    client: httpx.AsyncClient, store: GraphStore, type_name: str, code: str
) -> None:
    await load_logistics(store)
    refused = await _property_refused(
        client, store, "addProperty", type_name, {"name": "x", "kind": "STRING"}
    )
    assert (refused["code"], refused["path"]) == (code, ["type"])
    assert len(refused["message"]) < 300
    bad_property = await _refused(
        client, store, DROP_PROPERTY, "dropProperty", type="Warehouse", name="name`} RETURN 1"
    )
    assert (bad_property["code"], bad_property["path"]) == ("INVALID_NAME", ["name"])


async def test_relation_types_patch_alter_and_drop(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await load_logistics(store)
    added = await succeed(
        client,
        ADD_PROPERTY,
        "addProperty",
        type="ROUTED_VIA",
        property={"name": "leg", "kind": "INT", "label": "航段"},
    )
    assert added["relationType"]["properties"] == [{"name": "leg", "kind": "INT", "label": "航段"}]
    altered = await succeed(
        client,
        ALTER_RELATION_TYPE,
        "alterRelationType",
        input={
            "name": "ROUTED_VIA",
            "from": "Shipment",
            "to": "Warehouse",
            "label": "经由",
            "properties": [{"name": "leg", "kind": "INT"}, {"name": "note", "kind": "STRING"}],
        },
    )
    assert altered["relationType"]["label"] == "经由"
    ends = await _refused(
        client,
        store,
        ALTER_RELATION_TYPE,
        "alterRelationType",
        input={"name": "ROUTED_VIA", "from": "Customer", "to": "Warehouse"},
    )
    assert ends["code"] == "INCOMPATIBLE_CHANGE"
    linked = await _refused(client, store, DROP_RELATION_TYPE, "dropRelationType", name="FILED")
    assert linked["code"] == "INCOMPATIBLE_CHANGE"
    await store.define_entity_type({"name": "Depot"})
    await store.define_relation_type({"name": "SUPPLIES", "from": "Depot", "to": "Warehouse"})
    used = await _refused(client, store, DROP_ENTITY_TYPE, "dropEntityType", name="Depot")
    assert "SUPPLIES" in used["message"]
    dropped = await succeed(client, DROP_RELATION_TYPE, "dropRelationType", name="SUPPLIES")
    assert dropped["name"] == "SUPPLIES"
    gone = await succeed(client, DROP_ENTITY_TYPE, "dropEntityType", name="Depot")
    assert gone["schemaVersion"] == dropped["schemaVersion"] + 1
    held = await _refused(client, store, DROP_ENTITY_TYPE, "dropEntityType", name="Customer")
    assert "holds entities" in held["message"] or "still holds" in held["message"]
    history = await data(client, HISTORY, first=3)
    kinds = [edge["node"]["kind"] for edge in history["definitionHistory"]["edges"]]
    assert kinds == ["DROP_ENTITY_TYPE", "DROP_RELATION_TYPE", "DEFINE_RELATION_TYPE"]


async def test_a_name_that_is_both_an_entity_and_a_relation_type_is_ambiguous(
    client: httpx.AsyncClient, store: GraphStore
) -> None:
    await store.define_entity_type({"name": "HR"})
    await store.define_relation_type({"name": "HR", "from": "HR", "to": "HR"})
    refused = await _property_refused(
        client, store, "addProperty", "HR", {"name": "x", "kind": "STRING"}
    )
    assert (refused["code"], refused["path"]) == ("INVALID_INPUT", ["type"])
    assert "alterEntityType" in refused["message"]
