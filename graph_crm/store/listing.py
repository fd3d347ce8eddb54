"""Listing a type's entities or relations a page at a time, written once.

The store checks the request against the registry (page size, filter, order, cursor)
into a listing; the backend runs it in one read — a count of every match and up to
``limit`` (one more than the page) rows in order — and the page, with its cursor and
whether more follow, is made here. The backend plans with the registry of its own read
(``plan`` is called inside it), so the check and the rows agree on one version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graph_crm.model.graph import Entity, Page, Relation
from graph_crm.model.query import (
    Filter,
    OrderBy,
    after_filter,
    check_filter,
    check_order,
    check_page_size,
    decode_cursor,
    entity_cursor,
)
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType, RelationType
from graph_crm.store.common import decode_relation_cursor, encode_relation_cursor

L = TypeVar("L")
T = TypeVar("T")


@dataclass(frozen=True)
class EntityListing:
    """One page of one entity type, checked: what a backend compiles and runs."""

    entity_type: EntityType
    #: The caller's filter (it decides the total count).
    where: Filter | None
    #: A total order (the key breaks ties).
    order: tuple[OrderBy, ...]
    #: The rows strictly after the cursor (None: from the start).
    after: Filter | None
    size: int

    @property
    def limit(self) -> int:
        """Rows to read: one more than the page says whether another page follows."""
        return self.size + 1


@dataclass(frozen=True)
class RelationListing:
    """One page of one relation type in (from key, to key) order, checked."""

    relation_type: RelationType
    #: The (from key, to key) of the last relation already seen (None: from the start).
    after: tuple[str, str] | None
    size: int

    @property
    def limit(self) -> int:
        return self.size + 1


@dataclass(frozen=True)
class Rows(Generic[L, T]):
    """What a backend read for a listing: its total count and up to ``limit`` rows."""

    listing: L
    total: int
    rows: Sequence[T]


def plan_entity_listing(
    registry: Registry,
    type_name: str,
    *,
    where: Any = None,
    order_by: Any = None,
    first: int = 50,
    after: str | None = None,
) -> EntityListing:
    """Check a ``list_entities`` request against ``registry``."""
    entity_type = registry.entity_type(type_name)
    size = check_page_size(first)
    checked = check_filter(entity_type, where, registry=registry)
    order = tuple(check_order(entity_type, order_by))
    later = None if after is None else after_filter(order, decode_cursor(type_name, order, after))
    return EntityListing(entity_type, checked, order, later, size)


def plan_relation_listing(
    registry: Registry, relation_type: str, *, first: int = 50, after: str | None = None
) -> RelationListing:
    """Check a ``list_relations`` request against ``registry``."""
    rel = registry.relation_type(relation_type)
    return RelationListing(rel, decode_relation_cursor(after), check_page_size(first))


def entity_page(read: Rows[EntityListing, Entity]) -> Page[Entity]:
    listing = read.listing
    items = list(read.rows[: listing.size])
    name = listing.entity_type.name
    cursor = entity_cursor(name, listing.order, items[-1]) if items else None
    return Page(items, read.total, cursor, len(read.rows) > listing.size)


def relation_page(read: Rows[RelationListing, Relation]) -> Page[Relation]:
    items = list(read.rows[: read.listing.size])
    cursor = encode_relation_cursor(items[-1]) if items else None
    return Page(items, read.total, cursor, len(read.rows) > read.listing.size)


EntityPlan = Callable[[Registry], EntityListing]
RelationPlan = Callable[[Registry], RelationListing]
