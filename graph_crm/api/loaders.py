"""Per-request DataLoaders: every relation field of a query level is one store call."""

from __future__ import annotations

import json
from typing import Any

from strawberry.dataloader import DataLoader

from graph_crm.model.graph import Entity, Neighbor
from graph_crm.model.relation_counts import RelationCount
from graph_crm.store.base import GraphStore

_NeighborsKey = tuple[str, str, str, str, int]


class Loaders:
    """Batches lookups made while one request resolves; nothing outlives the request."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.entities: DataLoader[str, Entity | None] = DataLoader(load_fn=self._load_entities)
        #: Each entity's relation counts (global ids), for ``Entity.relationCounts``.
        self.relation_counts: DataLoader[str, list[RelationCount]] = DataLoader(
            load_fn=self.store.relation_counts
        )
        self._neighbors: dict[_NeighborsKey, DataLoader[str, list[Neighbor]]] = {}

    async def _load_entities(self, ids: list[str]) -> list[Entity | None]:
        return await self.store.get_entities(ids)

    def neighbors(
        self, relation: str, direction: str, where: Any, order_by: list[Any], first: int
    ) -> DataLoader[str, list[Neighbor]]:
        """The loader of one relation field with these arguments (ids of the near ends)."""
        key = (relation, direction, _canonical(where), _canonical(order_by), first)
        loader = self._neighbors.get(key)
        if loader is None:

            async def load(ids: list[str]) -> list[list[Neighbor]]:
                return await self.store.neighbors(
                    relation, direction, ids, where=where, order_by=order_by, first=first
                )

            loader = self._neighbors[key] = DataLoader(load_fn=load)
        return loader


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
