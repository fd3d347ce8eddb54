"""Display labels for a batch of ids: the name property, else the key; missing ones left out."""

from __future__ import annotations

import pytest

from graph_crm.errors import GraphCrmError
from graph_crm.store.base import GraphStore


async def test_labels(store: GraphStore) -> None:
    await store.define_entity_type(
        {"name": "Customer", "properties": [{"name": "name", "kind": "STRING"}]}
    )
    await store.define_entity_type(
        {"name": "Port", "properties": [{"name": "title", "kind": "STRING"}]}
    )
    await store.define_entity_type({"name": "Pallet", "properties": []})
    await store.upsert_entities(
        "Customer",
        [{"key": "A", "name": "上海阿克米"}, {"key": "B", "name": ""}, {"key": "C"}],
    )
    await store.upsert_entities("Port", [{"key": "RTM", "title": "Rotterdam"}])
    await store.upsert_entities("Pallet", [{"key": "P-1"}])
    ids = [
        "Customer:A",
        "Customer:B",
        "Customer:C",
        "Customer:A",
        "Customer:NOPE",
        "Port:RTM",
        "Pallet:P-1",
        "Ghost:X",
        "Customer:' OR 1=1 --",
    ]
    assert await store.entity_labels(ids) == {
        "Customer:A": "上海阿克米",
        "Customer:B": "B",  # an empty name is no name
        "Customer:C": "C",
        "Port:RTM": "Rotterdam",
        "Pallet:P-1": "P-1",
    }
    assert await store.entity_labels([]) == {}
    with pytest.raises(GraphCrmError):
        await store.entity_labels(["no-colon"])
