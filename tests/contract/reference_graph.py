"""The graph that traversal_reference.py describes, loaded into a store."""

from __future__ import annotations

from typing import Any

from graph_crm.model.registry import ChangeKind
from graph_crm.store.base import GraphStore
from graph_crm.store.definitions import DefinitionOperation
from tests.model.traversal_reference import ENTITY_TYPES, RELATION_TYPES


async def load_reference_graph(
    store: GraphStore, keys: dict[str, list[str]], edges: list[Any]
) -> None:
    """The types as one registry change, the entities and links as one batch."""
    await store.apply_definitions(
        [
            *(DefinitionOperation(ChangeKind.DEFINE_ENTITY_TYPE, d) for d in ENTITY_TYPES),
            *(DefinitionOperation(ChangeKind.DEFINE_RELATION_TYPE, d) for d in RELATION_TYPES),
        ]
    )
    links: dict[str, list[dict[str, str]]] = {}
    for name, source, target in edges:
        links.setdefault(name, []).append(
            {"from": source.split(":", 1)[1], "to": target.split(":", 1)[1]}
        )
    await store.write_batch(
        {type_name: [{"key": key} for key in type_keys] for type_name, type_keys in keys.items()},
        links,
    )
