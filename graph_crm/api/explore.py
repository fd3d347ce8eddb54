"""The explorer's reads on the generic ``Entity``, for the console's record view and its
neighbourhood graph: ``relationCounts`` and ``neighbors``.

Both go through the request's DataLoaders (:mod:`graph_crm.api.loaders`): however many
entities of one response ask, each field (with the same arguments) is one store call,
``relation_counts`` or ``neighbors``. ``neighbors`` pages by the far entity's key (a
relation joins two entities once), so a cursor holds the last key, fingerprinted by the
near type, the relation and the direction; it fetches one more than ``first`` to know
whether a page follows.

:class:`~graph_crm.api.types.EntityNode` takes these fields from :class:`EntityExplore`.
This module sits beside ``types`` (the two import each other only for type checking):
the objects it answers with name ``Entity``, ``PageInfo`` and ``Direction`` through
``strawberry.lazy``, and a far entity is made by the near one's own class.
"""

# No `from __future__ import annotations`: strawberry reads the lazy argument type of
# `neighbors` only from an annotation evaluated where it is written.
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Final, Protocol, TypeVar, cast

import strawberry
from strawberry.scalars import JSON

from graph_crm.api.loaders import Loaders
from graph_crm.api.role_limits import RoleLimits
from graph_crm.errors import InvalidInput, LimitExceeded, UnknownType
from graph_crm.model import graph
from graph_crm.model.query import OrderBy, decode_cursor, encode_cursor
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind, RelationType

if TYPE_CHECKING:
    from graph_crm.api.types import DirectionEnum, EntityNode, PageInfo

#: Most neighbours one page holds (under the role's page size).
NEIGHBORS_MAX_FIRST: Final = 100
_BY_KEY: Final = (OrderBy("key", PropertyKind.STRING),)
_TYPES: Final = "graph_crm.api.types"


class ExploreContext(Protocol):
    """What these resolvers read of :class:`~graph_crm.api.context.ApiContext`."""

    loaders: Loaders
    limits: RoleLimits
    registry: Registry


ExploreInfo = strawberry.Info[ExploreContext, None]


@strawberry.type(
    name="RelationCount", description="How many relations of one type touch an entity, one way."
)
class RelationCountNode:
    relation: str
    direction: Annotated["DirectionEnum", strawberry.lazy(_TYPES)] = strawberry.field(
        description="OUT: the entity is the relation's from end; IN: its to end."
    )
    other_type: str = strawberry.field(description="The entity type at the other end.")
    count: int


@strawberry.type(name="EntityNeighborEdge", description="A neighbour, and the relation to it.")
class NeighborEdge:
    cursor: str
    node: Annotated["EntityNode", strawberry.lazy(_TYPES)]
    properties: JSON = strawberry.field(description="The relation's properties.")
    created_at: datetime = strawberry.field(description="When the relation was made.")
    updated_at: datetime = strawberry.field(description="When its properties last changed.")


@strawberry.type(
    name="EntityNeighborConnection",
    description="One page of an entity's neighbours along one relation type, by key.",
)
class NeighborConnection:
    edges: list[NeighborEdge]
    page_info: Annotated["PageInfo", strawberry.lazy(_TYPES)]


def _relation(registry: Registry, near_type: str, name: str, direction: str) -> RelationType:
    """The relation type ``name`` followed ``direction``-wise from ``near_type``, checked
    against the registry before anything reaches the store."""
    if direction not in ("OUT", "IN"):
        raise InvalidInput(
            "direction is OUT or IN here: ask each way on its own", path=("direction",)
        )
    relation = registry.relation_types.get(name) if isinstance(name, str) else None
    if relation is None:
        raise UnknownType(f"there is no relation type {str(name)[:80]!r}", path=("relation",))
    near = relation.from_type if direction == "OUT" else relation.to_type
    if near != near_type:
        raise InvalidInput(
            f"{relation.name} {direction} starts at {near}, not at {near_type} (see "
            "relationCounts for the relations a type has)",
            path=("relation",),
        )
    return relation


_Resolver = TypeVar("_Resolver", bound=Callable[..., Any])


def _described(description: str) -> Callable[[_Resolver], _Resolver]:
    """``@strawberry.field(description=...)``, typed for mypy (as ``context.field``, which
    sits above this module)."""
    return cast(Callable[[_Resolver], _Resolver], strawberry.field(description=description))


def _cursor_scope(near_type: str, relation: str, direction: str) -> str:
    return f"{near_type}>{relation}>{direction}"


def _first(first: int, limits: RoleLimits) -> int:
    most = min(NEIGHBORS_MAX_FIRST, limits.page_size)
    if not 1 <= first <= most:
        raise LimitExceeded(f"first must be between 1 and {most}", path=("first",))
    return first


@strawberry.type
class EntityExplore:
    """The explorer's fields of the generic ``Entity`` (mixed into EntityNode)."""

    if TYPE_CHECKING:  # EntityNode's own fields and constructor, which these read
        id: strawberry.ID
        type: str

        @classmethod
        def from_model(cls, entity: graph.Entity, definition: Any) -> "EntityNode": ...

    @_described(
        "How many relations touch this entity, per relation type and direction: "
        "every relation type of its type, each way it touches it, zero counts included."
    )
    async def relation_counts(self, info: ExploreInfo) -> list[RelationCountNode]:
        counts = await info.context.loaders.relation_counts.load(str(self.id))
        return [
            RelationCountNode(
                relation=c.relation,
                # the model's Direction is a StrEnum of the same values as DirectionEnum
                direction=cast("DirectionEnum", c.direction),
                other_type=c.other_type,
                count=c.count,
            )
            for c in counts
        ]

    @_described(
        "One page of this entity's neighbours along one relation type, one "
        "way, ordered by key: OUT follows relations from it, IN relations to it. first is "
        "at most 100; pass pageInfo.endCursor as after for the next page."
    )
    async def neighbors(
        self,
        info: ExploreInfo,
        relation: str,
        direction: Annotated["DirectionEnum", strawberry.lazy(_TYPES)],
        first: int = 25,
        after: str | None = None,
    ) -> NeighborConnection:
        context = info.context
        way = str(direction.value)
        definition = _relation(context.registry, self.type, relation, way)
        first = _first(first, context.limits)
        scope = _cursor_scope(self.type, definition.name, way)
        where = None
        if after is not None:
            [last_key] = decode_cursor(scope, _BY_KEY, after)
            where = {"key": {"gt": last_key}}
        loader = context.loaders.neighbors(definition.name, way, where, [], first + 1)
        found = await loader.load(str(self.id))
        page = found[:first]
        make = type(self).from_model
        edges = [
            NeighborEdge(
                cursor=encode_cursor(scope, _BY_KEY, [n.entity.key]),
                node=make(n.entity, context.registry.entity_type(n.entity.type)),
                properties=cast(JSON, graph.properties_to_json(definition, n.relation.properties)),
                created_at=n.relation.created_at,
                updated_at=n.relation.updated_at,
            )
            for n in page
        ]
        page_info = _page_info(len(found) > first, edges[-1].cursor if edges else None)
        return NeighborConnection(edges=edges, page_info=page_info)


def _page_info(has_next_page: bool, end_cursor: str | None) -> "PageInfo":
    # types imports this module to define EntityNode: read back once both are loaded
    from graph_crm.api.types import PageInfo

    return PageInfo(has_next_page=has_next_page, end_cursor=end_cursor)
