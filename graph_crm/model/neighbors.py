"""Batched neighbour reads: one relation type, one direction, many near ends at once.

The GraphQL layer's DataLoaders ask for the neighbours of a whole batch of parents in
one store call. Everything is checked here, before a backend runs a query: the
relation type, the direction, every id (it must name an entity of the relation's near
type), the filter and order on the far type, and ``first`` (a cut per near entity).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graph_crm.errors import InvalidInput, LimitExceeded, UnknownType
from graph_crm.model.direction import Direction
from graph_crm.model.graph import Entity, Neighbor, Relation
from graph_crm.model.query import MAX_PAGE_SIZE, Filter, OrderBy, check_filter, check_order
from graph_crm.model.records import MAX_BATCH, global_id, parse_global_id
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType, RelationType


@dataclass(frozen=True)
class NeighborPlan:
    """A checked neighbour read; ``keys`` are the near keys in the order asked."""

    relation: RelationType
    direction: Direction
    near_type: EntityType
    far_type: EntityType
    keys: tuple[str, ...]
    where: Filter | None
    order: tuple[OrderBy, ...]
    first: int

    @property
    def distinct_keys(self) -> list[str]:
        """Each near key once, in first-asked order (what a backend queries)."""
        return list(dict.fromkeys(self.keys))

    def neighbor(
        self,
        near_key: str,
        far: Entity,
        properties: dict[str, Any],
        created_at: datetime,
        updated_at: datetime,
    ) -> Neighbor:
        """The relation between a near key and a far entity, its ends as stored."""
        near = global_id(self.near_type.name, near_key)
        ends = (near, far.id) if self.direction is Direction.OUT else (far.id, near)
        relation = Relation(self.relation.name, *ends, properties, created_at, updated_at)
        return Neighbor(relation, far)

    def spread(self, found: Mapping[str, list[Neighbor]]) -> list[list[Neighbor]]:
        """One list per id asked (a fresh list for duplicates; ``[]`` when absent)."""
        return [list(found.get(key, ())) for key in self.keys]


def _direction(raw: Direction | str) -> Direction:
    # BOTH is refused: a caller wanting both ways asks twice and merges, so each
    # answer keeps one near type and one order.
    name = raw.upper() if isinstance(raw, str) else None
    if name not in (Direction.OUT, Direction.IN):
        raise InvalidInput("direction is OUT or IN", path=("direction",))
    return Direction(name)


def _first(first: Any) -> int:
    if isinstance(first, bool) or not isinstance(first, int) or first < 1:
        raise InvalidInput("first must be a positive integer", path=("first",))
    if first > MAX_PAGE_SIZE:
        raise LimitExceeded(f"first is at most {MAX_PAGE_SIZE}", path=("first",))
    return first


def _keys(ids: Any, near_type: str, relation: RelationType, direction: Direction) -> list[str]:
    if isinstance(ids, str | bytes | Mapping) or not isinstance(ids, Sequence):
        raise InvalidInput("ids must be a list of global ids", path=("ids",))
    if len(ids) > MAX_BATCH:
        raise LimitExceeded(f"ids holds at most {MAX_BATCH} ids", path=("ids",))
    keys: list[str] = []
    for index, gid in enumerate(ids):
        type_name, key = parse_global_id(gid, ("ids", index))
        if type_name != near_type:
            raise InvalidInput(
                f"{str(gid)[:120]} is not a {near_type}: {relation.name} {direction.value} "
                f"starts at {near_type}",
                path=("ids", index),
            )
        keys.append(key)
    return keys


def plan_neighbors(
    registry: Registry,
    relation_type: str,
    direction: Direction | str,
    ids: Sequence[str],
    *,
    where: Any = None,
    order_by: Any = None,
    first: int = 100,
) -> NeighborPlan:
    """Check a neighbour read against the registry.

    >>> from graph_crm.model.types import parse_entity_type, parse_relation_type
    >>> from datetime import datetime, UTC
    >>> r, now = Registry(), datetime.now(UTC)
    >>> r, _ = r.define_entity_type(parse_entity_type({"name": "Customer"}), actor="t", at=now)
    >>> r, _ = r.define_entity_type(parse_entity_type({"name": "Buyer"}), actor="t", at=now)
    >>> rel = parse_relation_type({"name": "BUYS_FOR", "from": "Buyer", "to": "Customer"})
    >>> r, _ = r.define_relation_type(rel, actor="t", at=now)
    >>> plan = plan_neighbors(r, "BUYS_FOR", "IN", ["Customer:A", "Customer:A"], first=5)
    >>> plan.far_type.name, plan.distinct_keys, [o.field for o in plan.order]
    ('Buyer', ['A'], ['key'])
    """
    if not isinstance(relation_type, str):
        raise InvalidInput("relationType must be a relation type name", path=("relationType",))
    try:
        relation = registry.relation_type(relation_type)
    except UnknownType as exc:
        raise UnknownType(exc.message, path=("relationType",)) from None
    way = _direction(direction)
    near_name, far_name = (
        (relation.from_type, relation.to_type)
        if way is Direction.OUT
        else (relation.to_type, relation.from_type)
    )
    keys = _keys(ids, near_name, relation, way)
    far_type = registry.entity_type(far_name)
    return NeighborPlan(
        relation=relation,
        direction=way,
        near_type=registry.entity_type(near_name),
        far_type=far_type,
        keys=tuple(keys),
        where=check_filter(far_type, where, ("where",), registry=registry),
        order=check_order(far_type, order_by),
        first=_first(first),
    )
