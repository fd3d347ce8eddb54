"""The fault tests' data: customers in large numbered batches, subsidiaries, links."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graph_crm.model.graph import Entity
from graph_crm.store.base import GraphStore

CUSTOMER: dict[str, Any] = {
    "name": "Customer",
    "properties": [
        {"name": "name", "kind": "STRING", "required": True},
        {"name": "segment", "kind": "ENUM", "values": ["SMB", "MID", "ENTERPRISE"]},
        {"name": "revenue", "kind": "FLOAT"},
        {"name": "batch", "kind": "INT"},
        {"name": "note", "kind": "STRING"},
    ],
}
SUBSIDIARY: dict[str, Any] = {
    "name": "Subsidiary",
    "properties": [{"name": "name", "kind": "STRING", "required": True}],
}
HAS_SUBSIDIARY: dict[str, Any] = {
    "name": "HAS_SUBSIDIARY",
    "from": "Customer",
    "to": "Subsidiary",
    "properties": [{"name": "share", "kind": "FLOAT"}],
}
SEGMENTS = ("SMB", "MID", "ENTERPRISE")
BASE = 300


def batch(number: int, size: int) -> list[dict[str, Any]]:
    """``size`` new customers, every field telling which batch and row it came from."""
    return [
        {
            "key": f"B{number}-{row:05d}",
            "name": f"客户 {number}-{row}",
            "segment": SEGMENTS[row % 3],
            "revenue": number * 1e6 + row * 0.25,
            "batch": number,
            "note": f"batch {number} row {row} " + "·" * (row % 17),
        }
        for row in range(size)
    ]


def links(number: int, size: int) -> list[dict[str, Any]]:
    """Links from batch ``number``'s first ``size`` customers to the base subsidiaries."""
    return [
        {
            "from": f"B{number}-{row:05d}",
            "to": f"S{row % BASE:03d}",
            "properties": {"share": (row % 100) / 100},
        }
        for row in range(size)
    ]


async def define_and_load_base(store: GraphStore) -> None:
    """The types, and ``BASE`` customers (batch 0) each linked to a subsidiary of its own."""
    await store.define_entity_type(CUSTOMER, actor="faults")
    await store.define_entity_type(SUBSIDIARY, actor="faults")
    await store.define_relation_type(HAS_SUBSIDIARY, actor="faults")
    await store.upsert_entities("Customer", batch(0, BASE))
    await store.upsert_entities(
        "Subsidiary", [{"key": f"S{row:03d}", "name": f"子公司 {row}"} for row in range(BASE)]
    )
    await store.link("HAS_SUBSIDIARY", links(0, BASE))


async def batch_in_store(store: GraphStore, rows: Sequence[dict[str, Any]]) -> list[Entity]:
    """The stored customers of a batch (looked up by the keys sent)."""
    found = await store.get_entities([f"Customer:{row['key']}" for row in rows])
    return [entity for entity in found if entity is not None]


def assert_all_or_nothing(found: Sequence[Entity], sent: Sequence[dict[str, Any]]) -> bool:
    """Whether the whole batch is stored (True) or none of it (False); anything in
    between, or any row unlike the one sent, fails."""
    if not found:
        return False
    assert len(found) == len(sent), f"{len(found)} of {len(sent)} rows of a batch are stored"
    stored = {entity.key: entity.properties for entity in found}
    for row in sent:
        expected = {name: value for name, value in row.items() if name != "key"}
        assert stored[row["key"]] == expected, row["key"]
    return True
