"""The graph that traversal_reference.py describes, loaded into a store."""

from __future__ import annotations

from typing import Any

from graph_crm.store.base import GraphStore
from tests.model.traversal_reference import ENTITY_TYPES, RELATION_TYPES


async def load_reference_graph(
    store: GraphStore, keys: dict[str, list[str]], edges: list[Any]
) -> None:
    for definition in ENTITY_TYPES:
        await store.define_entity_type(definition)
    for relation in RELATION_TYPES:
        await store.define_relation_type(relation)
    for type_name, type_keys in keys.items():
        await store.upsert_entities(type_name, [{"key": key} for key in type_keys])
    for relation in sorted({edge[0] for edge in edges}):
        await store.link(
            relation,
            [
                {"from": source.split(":", 1)[1], "to": target.split(":", 1)[1]}
                for name, source, target in edges
                if name == relation
            ],
        )
