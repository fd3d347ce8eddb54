"""The brief's chain as test data: Customer -> Subsidiary -> Buyer -> ChatLog -> Competitor."""

from __future__ import annotations

from typing import Any

from graph_crm.model.registry_change import ChangeKind
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation

CUSTOMER: dict[str, Any] = {
    "name": "Customer",
    "description": "A paying customer",
    "properties": [
        {"name": "name", "kind": "STRING", "required": True},
        {"name": "email", "kind": "STRING", "unique": True},
        {"name": "tier", "kind": "ENUM", "values": ["GOLD", "SILVER", "BRONZE"]},
        {"name": "revenue", "kind": "FLOAT"},
        {"name": "employees", "kind": "INT"},
        {"name": "active", "kind": "BOOLEAN", "default": True},
        {"name": "since", "kind": "DATE"},
        {"name": "lastContact", "kind": "DATETIME"},
        {"name": "tags", "kind": "JSON"},
    ],
}
SUBSIDIARY: dict[str, Any] = {
    "name": "Subsidiary",
    "properties": [
        {"name": "name", "kind": "STRING", "required": True},
        {"name": "country", "kind": "STRING"},
    ],
}
BUYER: dict[str, Any] = {
    "name": "Buyer",
    "properties": [{"name": "name", "kind": "STRING", "required": True}],
}
CHAT_LOG: dict[str, Any] = {
    "name": "ChatLog",
    "properties": [
        {"name": "at", "kind": "DATETIME", "required": True},
        {"name": "text", "kind": "STRING"},
    ],
}
COMPETITOR: dict[str, Any] = {
    "name": "Competitor",
    "properties": [
        {"name": "name", "kind": "STRING", "required": True},
    ],
}
RELATIONS: list[dict[str, Any]] = [
    {
        "name": "HAS_SUBSIDIARY",
        "from": "Customer",
        "to": "Subsidiary",
        "properties": [{"name": "share", "kind": "FLOAT"}],
    },
    {"name": "EMPLOYS", "from": "Subsidiary", "to": "Buyer"},
    {"name": "WROTE", "from": "Buyer", "to": "ChatLog"},
    {
        "name": "MENTIONS",
        "from": "ChatLog",
        "to": "Competitor",
        "properties": [{"name": "sentiment", "kind": "ENUM", "values": ["POSITIVE", "NEGATIVE"]}],
    },
    {"name": "PARENT_OF", "from": "Customer", "to": "Customer"},
]


CRM_ENTITY_TYPES: list[dict[str, Any]] = [CUSTOMER, SUBSIDIARY, BUYER, CHAT_LOG, COMPETITOR]
CRM_DEFINITIONS: list[DefinitionOperation] = [
    *(
        DefinitionOperation(ChangeKind.DEFINE_ENTITY_TYPE, definition)
        for definition in CRM_ENTITY_TYPES
    ),
    *(DefinitionOperation(ChangeKind.DEFINE_RELATION_TYPE, relation) for relation in RELATIONS),
]


async def define_crm(store: GraphStore) -> None:
    """The CRM's types as one registry change (one version, an audit record per type)."""
    await store.apply_definitions(CRM_DEFINITIONS, actor="config-officer")


CHAIN_ENTITIES: dict[str, list[dict[str, Any]]] = {
    "Customer": [
        {
            "key": "ACME",
            "name": "上海阿克米贸易有限公司",
            "tier": "GOLD",
            "revenue": 1.5e6,
            "since": "2019-03-01",
            "email": "ops@acme.cn",
        },
        {"key": "BETA", "name": "Beta GmbH", "tier": "SILVER", "revenue": 2.0e5},
        {"key": "ACME-HOLD", "name": "ACME Holding", "tier": "GOLD"},
    ],
    "Subsidiary": [
        {"key": "ACME-SH", "name": "阿克米上海", "country": "CN"},
        {"key": "ACME-DE", "name": "ACME Deutschland", "country": "DE"},
        {"key": "BETA-AT", "name": "Beta Austria", "country": "AT"},
    ],
    "Buyer": [
        {"key": "B1", "name": "王伟"},
        {"key": "B2", "name": "Anna"},
        {"key": "B3", "name": "Kurt"},
    ],
    "ChatLog": [
        {"key": "L1", "at": "2026-10-01T09:00:00Z", "text": "对比了 Globex 的报价"},
        {"key": "L2", "at": "2026-06-01T09:00:00+02:00", "text": "Initech is cheaper"},
        {"key": "L3", "at": "2026-11-01T12:00:00Z", "text": "Globex again"},
        {"key": "L4", "at": "2026-11-02T12:00:00Z", "text": "Beta talks about Umbrella"},
    ],
    "Competitor": [
        {"key": "GLOBEX", "name": "Globex"},
        {"key": "INITECH", "name": "Initech"},
        {"key": "UMBRELLA", "name": "Umbrella"},
    ],
}
CHAIN_LINKS: dict[str, list[dict[str, Any]]] = {
    "HAS_SUBSIDIARY": [
        {"from": "ACME", "to": "ACME-SH", "properties": {"share": 1.0}},
        {"from": "ACME", "to": "ACME-DE", "properties": {"share": 0.51}},
        {"from": "BETA", "to": "BETA-AT"},
    ],
    "EMPLOYS": [
        {"from": "ACME-SH", "to": "B1"},
        {"from": "ACME-DE", "to": "B2"},
        {"from": "BETA-AT", "to": "B3"},
    ],
    "WROTE": [
        {"from": "B1", "to": "L1"},
        {"from": "B2", "to": "L2"},
        {"from": "B2", "to": "L3"},
        {"from": "B3", "to": "L4"},
    ],
    "MENTIONS": [
        {"from": "L1", "to": "GLOBEX", "properties": {"sentiment": "NEGATIVE"}},
        {"from": "L2", "to": "INITECH"},
        {"from": "L3", "to": "GLOBEX"},
        {"from": "L4", "to": "UMBRELLA"},
    ],
    "PARENT_OF": [{"from": "ACME-HOLD", "to": "ACME"}],
}


async def load_chain(store: GraphStore) -> None:
    """Two customers; ACME has two subsidiaries, buyers, chats and competitor mentions:
    the types as one registry change, the data as one batch (one transaction, an audit
    record per type and relation written)."""
    await define_crm(store)
    await store.write_batch(CHAIN_ENTITIES, CHAIN_LINKS)


CHAIN: list[dict[str, Any]] = [
    {"relation": "HAS_SUBSIDIARY", "direction": "OUT"},
    {"relation": "EMPLOYS", "direction": "OUT"},
    {"relation": "WROTE", "direction": "OUT"},
    {"relation": "MENTIONS", "direction": "OUT"},
]
