"""A whole read operation, checked, as a backend runs it in one go.

The API compiles a GraphQL query over the typed schema into a :class:`ReadPlan`
(:mod:`graph_crm.api.compiled`): its root lookups and pages, and below them every value
and relation list the response holds, each under its response key (an alias or the
field's name). Every filter, order and page size in it has been checked against the
registry, as the resolvers' store calls check them.

A backend fetches what the plan needs — on Neo4j one statement, on the embedded store
one statement per root and per relation field, in one read — as :class:`Found` trees;
:mod:`.project` turns those into the response. Nothing here reads a clock or a store.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from graph_crm.model.direction import Direction
from graph_crm.model.graph import Entity, Relation
from graph_crm.model.query import Filter, OrderBy
from graph_crm.model.types import EntityType, PropertyKind, RelationType
from graph_crm.store.listing import EntityListing


class Source(Enum):
    """Where one output value comes from."""

    ID = "id"
    KEY = "key"
    CREATED = "createdAt"
    UPDATED = "updatedAt"
    #: A defined property (of the entity, or of the relation on an edge).
    PROPERTY = "property"
    #: ``__typename``: the name is the value.
    TYPENAME = "typename"
    # a page's own values
    TOTAL = "totalCount"
    CURSOR = "cursor"
    HAS_NEXT = "hasNextPage"
    END_CURSOR = "endCursor"


@dataclass(frozen=True, slots=True)
class Value:
    """One scalar under ``key``."""

    key: str
    source: Source
    #: The property's name (PROPERTY), or the type's name (TYPENAME).
    name: str = ""
    kind: PropertyKind | None = None
    #: An ENUM property's values (a stored value outside them is not answered here).
    values: frozenset[str] | None = None
    #: A required property: non-null in the schema (a missing value is not answered here).
    required: bool = False


@dataclass(frozen=True, slots=True)
class NodeOut:
    """An edge's ``node``: the entity at the far end, as ``read`` selects it."""

    key: str
    read: EntityRead


@dataclass(frozen=True, slots=True)
class Group:
    """An object of a page that is not an entity (``edges`` items, ``pageInfo``)."""

    key: str
    source: Source  # CURSOR's holder (edges) or HAS_NEXT's (pageInfo)
    outputs: tuple[Value | NodeOut, ...]


EDGES = Source.CURSOR
PAGE_INFO = Source.HAS_NEXT


@dataclass(frozen=True)
class RelationRead:
    """A relation field of an entity: its far ends, filtered, ordered, cut at ``first``."""

    key: str
    #: Unique within a plan: where a backend files this field's far ends.
    slot: int
    relation: RelationType
    direction: Direction
    far_type: EntityType
    where: Filter | None
    order: tuple[OrderBy, ...]
    first: int
    #: A plain list: each far entity as ``node`` selects it; an ``…Edges`` list: the
    #: edge's outputs (the relation's values, and any number of ``node`` selections).
    node: EntityRead | None
    edge: tuple[Value | NodeOut, ...] | None = None

    @cached_property
    def far(self) -> Far:
        """What to fetch of the far ends: every selection of them merged."""
        reads = [self.node] if self.node is not None else []
        reads += [out.read for out in self.edge or () if isinstance(out, NodeOut)]
        return Far.of(self.far_type, reads)

    @cached_property
    def relation_properties(self) -> tuple[str, ...]:
        return tuple(
            sorted(
                {
                    out.name
                    for out in self.edge or ()
                    if isinstance(out, Value) and out.source is Source.PROPERTY
                }
            )
        )


@dataclass(frozen=True, slots=True)
class EntityRead:
    """What a response shows of an entity."""

    entity_type: EntityType
    outputs: tuple[Value | RelationRead, ...]


@dataclass(frozen=True)
class Far:
    """What a backend fetches of the entities at one place: the properties any selection
    shows (and ``extra``: those a cursor needs), and every relation field below."""

    entity_type: EntityType
    properties: tuple[str, ...]
    relations: tuple[RelationRead, ...]

    @classmethod
    def of(
        cls, entity_type: EntityType, reads: list[EntityRead], extra: tuple[str, ...] = ()
    ) -> Far:
        props = set(extra)
        relations: list[RelationRead] = []
        for read in reads:
            for out in read.outputs:
                if isinstance(out, RelationRead):
                    relations.append(out)
                elif out.source is Source.PROPERTY:
                    props.add(out.name)
        return cls(entity_type, tuple(sorted(props)), tuple(relations))


@dataclass(frozen=True)
class LookupRoot:
    """``customer(key:)``: one entity or null."""

    key: str
    entity_key: str
    read: EntityRead

    @cached_property
    def far(self) -> Far:
        return Far.of(self.read.entity_type, [self.read])


@dataclass(frozen=True)
class PageRoot:
    """``customers(where:, orderBy:, first:, after:)``: a connection."""

    key: str
    listing: EntityListing
    outputs: tuple[Value | Group, ...]

    @cached_property
    def counted(self) -> bool:
        """Whether the response shows ``totalCount`` (else nobody counts)."""
        return any(isinstance(o, Value) and o.source is Source.TOTAL for o in self.outputs)

    @cached_property
    def far(self) -> Far:
        reads = [
            item.read
            for out in self.outputs
            if isinstance(out, Group)
            for item in out.outputs
            if isinstance(item, NodeOut)
        ]
        order = tuple(o.field for o in self.listing.order if o.field not in _SYSTEM)
        return Far.of(self.listing.entity_type, reads, order)


_SYSTEM = frozenset({"key", "createdAt", "updatedAt"})

Root = LookupRoot | PageRoot


@dataclass(frozen=True)
class ReadPlan:
    """The roots of one query, in response order; ``__typename`` of the query is a
    :class:`Value` among them."""

    roots: tuple[Root | Value, ...]


@dataclass(slots=True)
class Found:
    """An entity a backend fetched, the relation it was reached by (None at a root),
    and the far ends of each relation field below it, by :attr:`RelationRead.slot`."""

    entity: Entity
    relation: Relation | None
    children: dict[int, list[Found]]


@dataclass(frozen=True, slots=True)
class FoundPage:
    """A page's rows (up to one more than its size) and its count (None: not asked)."""

    total: int | None
    rows: list[Found]


#: What a backend answers for each root of a plan (None: a lookup found nothing, or a
#: ``__typename``).
FoundRoot = Found | FoundPage | None
