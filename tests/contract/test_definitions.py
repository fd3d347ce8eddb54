"""Defining, evolving and refusing types: the same on every backend."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import (
    GraphCrmError,
    IncompatibleChange,
    InvalidInput,
    InvalidName,
    ReservedName,
    TypeExists,
    UnknownType,
)
from graph_crm.store.base import GraphStore
from tests.contract.crm import CUSTOMER, define_crm, load_chain
from tests.contract.snapshot import snapshot
from tests.store_fixtures import Loaded

BROKER = {
    "name": "CustomsBroker",
    "description": "Clears goods through customs",
    "properties": [
        {"name": "licence", "kind": "STRING", "required": True, "unique": True},
        {"name": "rating", "kind": "INT"},
    ],
}


async def test_define_list_and_version(store: GraphStore) -> None:
    await store.define_entity_type(
        {"name": "Warehouse", "properties": [{"name": "city", "kind": "STRING"}]}, actor="alice"
    )
    registry = await store.define_entity_type(BROKER, actor="bob")
    registry = await store.define_relation_type(
        {"name": "CLEARS_FOR", "from": "CustomsBroker", "to": "Warehouse"}, actor="bob"
    )
    assert registry.version == 3
    assert sorted(registry.entity_types) == ["CustomsBroker", "Warehouse"]
    broker = registry.entity_type("CustomsBroker")
    assert broker.description == "Clears goods through customs"
    assert [p.name for p in broker.properties] == ["licence", "rating"]
    assert registry.relation_type("CLEARS_FOR").from_type == "CustomsBroker"
    assert (await store.registry()) == registry
    changes = await store.registry_changes()
    assert [(c.version, c.kind.value, c.name, c.actor) for c in changes] == [
        (1, "DEFINE_ENTITY_TYPE", "Warehouse", "alice"),
        (2, "DEFINE_ENTITY_TYPE", "CustomsBroker", "bob"),
        (3, "DEFINE_RELATION_TYPE", "CLEARS_FOR", "bob"),
    ]
    assert changes[1].before is None
    assert changes[1].after is not None
    assert changes[1].after["name"] == "CustomsBroker"
    assert [c.version for c in await store.registry_changes(since_version=2)] == [3]


@pytest.mark.parametrize(
    ("definition", "error", "words"),
    [
        ({"name": "customer"}, InvalidName, "PascalCase"),
        ({"name": "Query"}, ReservedName, "reserved"),
        ({"name": "Entity"}, ReservedName, "reserved"),
        ({"name": "_Hidden"}, ReservedName, "'_'"),
        ({"name": "CustomerConnection"}, ReservedName, "Connection"),
        ({"name": "X" * 65}, InvalidName, "longer"),
        ({"name": "Ok", "properties": [{"name": "id", "kind": "STRING"}]}, ReservedName, "system"),
        (
            {"name": "Ok", "properties": [{"name": "createdAt", "kind": "DATE"}]},
            ReservedName,
            "system",
        ),
        (
            {"name": "Ok", "properties": [{"name": "Bad", "kind": "STRING"}]},
            InvalidName,
            "camelCase",
        ),
        ({"name": "Ok", "properties": [{"name": "x", "kind": "DECIMAL"}]}, InvalidInput, "kind"),
        ({"name": "Ok", "properties": [{"name": "x", "kind": "ENUM"}]}, InvalidInput, "value"),
        (
            {"name": "Ok", "properties": [{"name": "x", "kind": "ENUM", "values": ["a b"]}]},
            InvalidName,
            "UPPER_SNAKE",
        ),
        (
            {"name": "Ok", "properties": [{"name": "x", "kind": "JSON", "unique": True}]},
            InvalidInput,
            "unique",
        ),
        (
            {"name": "Ok", "properties": [{"name": "x", "kind": "INT", "default": "7"}]},
            InvalidInput,
            "integer",
        ),
        (
            {
                "name": "Ok",
                "properties": [{"name": "x", "kind": "INT"}, {"name": "x", "kind": "INT"}],
            },
            InvalidInput,
            "twice",
        ),
        ({"name": "Ok", "extra": 1}, InvalidInput, "extra"),
    ],
)
async def test_invalid_entity_types_are_refused(
    loaded: Loaded, definition: dict[str, Any], error: type[GraphCrmError], words: str
) -> None:
    store = await loaded(define_crm)
    before = await snapshot(store)
    with pytest.raises(error) as caught:
        await store.define_entity_type(definition)
    assert words.lower() in caught.value.message.lower()
    assert await snapshot(store) == before


async def test_duplicate_and_dangling_definitions(store: GraphStore) -> None:
    await define_crm(store)
    before = await snapshot(store)
    with pytest.raises(TypeExists):
        await store.define_entity_type(CUSTOMER)
    with pytest.raises(TypeExists):
        await store.define_relation_type({"name": "EMPLOYS", "from": "Subsidiary", "to": "Buyer"})
    with pytest.raises(UnknownType, match="Warehouse"):
        await store.define_relation_type(
            {"name": "SHIPS_TO", "from": "Customer", "to": "Warehouse"}
        )
    with pytest.raises(InvalidName):
        await store.define_relation_type({"name": "ships-to", "from": "Customer", "to": "Buyer"})
    with pytest.raises(UnknownType):
        await store.alter_entity_type({"name": "Nowhere"})
    assert await snapshot(store) == before


HOSTILE_NAMES = [
    "Robert'); DROP TABLE entities;--",
    "A`B",
    "A}B{",
    "X //comment",
    "Customer` DETACH DELETE n //",
    "n) DETACH DELETE n WITH (m",
    "Customer\nMATCH (n) DETACH DELETE n",
    "Ｃustomer",
    "Customer'",
    '"Customer"',
    "1=1 OR",
    "",
]


@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
async def test_hostile_identifiers_are_refused_and_nothing_is_lost(
    loaded: Loaded, hostile: str
) -> None:
    store = await loaded(load_chain)
    before = await snapshot(store)
    attempts = [
        store.define_entity_type({"name": hostile}),
        store.define_entity_type(
            {"name": "Fine", "properties": [{"name": hostile, "kind": "STRING"}]}
        ),
        store.define_relation_type({"name": hostile, "from": "Customer", "to": "Buyer"}),
        store.define_relation_type({"name": "FINE", "from": hostile, "to": "Buyer"}),
        store.upsert_entities(hostile, [{"key": "k"}]),
        store.upsert_entities("Customer", [{"key": "k", "name": "x", hostile: 1}]),
        store.list_entities("Customer", where={hostile: {"eq": 1}}),
        store.list_entities("Customer", order_by=[hostile]),
        store.link(hostile, [{"from": "ACME", "to": "ACME-SH"}]),
        store.traverse(["Customer:ACME"], [{"relation": hostile}]),
        store.drop_entity_type(hostile),
    ]
    for attempt in attempts:
        with pytest.raises(GraphCrmError):
            await attempt
    assert await snapshot(store) == before
    assert (await store.counts()).entities["Customer"] == 3


async def test_evolution_of_a_populated_type(store: GraphStore) -> None:
    await load_chain(store)
    customer = dict(CUSTOMER)
    properties = list(CUSTOMER["properties"])
    # adding an optional property, a required one with a default, an enum value, a description
    properties.append({"name": "segment", "kind": "STRING"})
    properties.append({"name": "region", "kind": "STRING", "required": True, "default": "APAC"})
    properties = [
        {**p, "values": [*p["values"], "PLATINUM"]} if p["name"] == "tier" else p
        for p in properties
    ]
    customer.update(properties=properties, description="Customers, now with regions")
    registry = await store.alter_entity_type(customer, actor="carol")
    assert registry.entity_type("Customer").description == "Customers, now with regions"
    (acme,) = await store.get_entities(["Customer:ACME"])
    assert acme is not None
    assert acme.properties["region"] == "APAC"
    assert "segment" not in acme.properties
    await store.upsert_entities("Customer", [{"key": "NEW", "name": "New", "tier": "PLATINUM"}])
    change = (await store.registry_changes())[-1]
    assert change.kind.value == "ALTER_ENTITY_TYPE"
    assert change.actor == "carol"
    assert change.before is not None
    assert change.after is not None
    assert len(change.after["properties"]) == len(change.before["properties"]) + 2


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            lambda ps: [{**p, "kind": "STRING"} if p["name"] == "revenue" else p for p in ps],
            "invalidate",
        ),
        (lambda ps: [p for p in ps if p["name"] != "revenue"], "removing"),
        (lambda ps: [*ps, {"name": "vat", "kind": "STRING", "required": True}], "default"),
        (lambda ps: [{**p, "values": ["GOLD"]} if p["name"] == "tier" else p for p in ps], "enum"),
        (lambda ps: [{**p, "unique": True} if p["name"] == "name" else p for p in ps], "unique"),
    ],
)
async def test_changes_that_would_invalidate_data_are_refused(
    loaded: Loaded, change: Any, words: str
) -> None:
    store = await loaded(load_chain)
    before = await snapshot(store)
    with pytest.raises(IncompatibleChange) as caught:
        await store.alter_entity_type({**CUSTOMER, "properties": change(CUSTOMER["properties"])})
    assert words in caught.value.message
    assert await snapshot(store) == before


async def test_dropping_types(store: GraphStore) -> None:
    await load_chain(store)
    with pytest.raises(IncompatibleChange, match="holds entities"):
        await store.drop_entity_type("Competitor")
    with pytest.raises(IncompatibleChange, match="links entities"):
        await store.drop_relation_type("MENTIONS")
    await store.define_entity_type(BROKER)
    await store.define_entity_type({"name": "Warehouse"})
    await store.define_relation_type(
        {"name": "CLEARS_FOR", "from": "CustomsBroker", "to": "Warehouse"}
    )
    with pytest.raises(IncompatibleChange, match="CLEARS_FOR"):
        await store.drop_entity_type("Warehouse")
    await store.drop_relation_type("CLEARS_FOR")
    registry = await store.drop_entity_type("Warehouse")
    assert "Warehouse" not in registry.entity_types
    # an empty type may change freely, and a dropped unique constraint is really gone
    relaxed = {**BROKER, "properties": [{"name": "licence", "kind": "STRING"}]}
    await store.alter_entity_type(relaxed)
    await store.upsert_entities(
        "CustomsBroker", [{"key": "a", "licence": "L"}, {"key": "b", "licence": "L"}]
    )
    assert (await store.counts()).entities["CustomsBroker"] == 2
