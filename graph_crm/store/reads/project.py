"""A read plan's response, made from what the backend fetched (written once for both).

Values are written as the typed schema's scalars serialize them (``DateTime`` as the
store's fixed-width UTC text, ``Date`` as ISO, ``Float`` as a float), so the response
is plain JSON data, ready for bytes. A stored value the schema could not serialize (an
ENUM value no longer among the property's values, a required property without one)
raises :class:`Unanswerable`: the caller then answers the query the slow way, which
reports it as the resolvers do.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from graph_crm.model.graph import Entity, Relation
from graph_crm.model.query import entity_cursor
from graph_crm.model.types import PropertyKind
from graph_crm.model.values import datetime_to_text
from graph_crm.store.reads.plan import (
    EDGES,
    Found,
    FoundPage,
    FoundRoot,
    Group,
    LookupRoot,
    NodeOut,
    PageRoot,
    ReadPlan,
    RelationRead,
    Source,
    Value,
)


class Unanswerable(Exception):
    """What was fetched cannot be answered without the resolvers (see the module)."""


def response(plan: ReadPlan, found: Sequence[FoundRoot]) -> dict[str, Any]:
    """The ``data`` of the query ``plan`` reads, ``found`` holding one item per root."""
    data: dict[str, Any] = {}
    for root, item in zip(plan.roots, found, strict=True):
        if isinstance(root, Value):
            data[root.key] = root.name
        elif isinstance(root, LookupRoot):
            assert not isinstance(item, FoundPage)
            data[root.key] = None if item is None else _entity(root.read.outputs, item)
        else:
            assert isinstance(item, FoundPage)
            data[root.key] = _page(root, item)
    return data


def _page(root: PageRoot, page: FoundPage) -> dict[str, Any]:
    listing = root.listing
    rows = page.rows[: listing.size]
    name = listing.entity_type.name
    out: dict[str, Any] = {}
    for item in root.outputs:
        if isinstance(item, Value):
            out[item.key] = page.total if item.source is Source.TOTAL else item.name
        elif item.source is EDGES:
            out[item.key] = [_edge(item, row, name, listing.order) for row in rows]
        else:
            out[item.key] = _page_info(item, rows, name, listing, len(page.rows))
    return out


def _edge(group: Group, row: Found, name: str, order: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in group.outputs:
        if isinstance(item, NodeOut):
            out[item.key] = _entity(item.read.outputs, row)
        elif item.source is Source.CURSOR:
            out[item.key] = entity_cursor(name, order, row.entity)
        else:
            out[item.key] = item.name
    return out


def _page_info(
    group: Group, rows: list[Found], name: str, listing: Any, fetched: int
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in group.outputs:
        assert isinstance(item, Value)
        if item.source is Source.HAS_NEXT:
            out[item.key] = fetched > listing.size
        elif item.source is Source.END_CURSOR:
            out[item.key] = entity_cursor(name, listing.order, rows[-1].entity) if rows else None
        else:
            out[item.key] = item.name
    return out


def _entity(outputs: Sequence[Value | RelationRead], found: Found) -> dict[str, Any]:
    entity = found.entity
    out: dict[str, Any] = {}
    for item in outputs:
        if isinstance(item, RelationRead):
            out[item.key] = _relation(item, found.children.get(item.slot, ()))
        else:
            out[item.key] = _value(item, entity)
    return out


def _relation(read: RelationRead, far: Sequence[Found]) -> list[dict[str, Any]]:
    if read.node is not None:
        outputs = read.node.outputs
        return [_entity(outputs, item) for item in far]
    edge = read.edge or ()
    answered = []
    for item in far:
        relation = item.relation
        assert relation is not None
        out: dict[str, Any] = {}
        for part in edge:
            if isinstance(part, NodeOut):
                out[part.key] = _entity(part.read.outputs, item)
            else:
                out[part.key] = _value(part, relation)
        answered.append(out)
    return answered


def _value(item: Value, holder: Entity | Relation) -> Any:
    source = item.source
    if source is Source.PROPERTY:
        return _serialized(item, holder.properties.get(item.name))
    if source is Source.KEY:
        assert isinstance(holder, Entity)
        return holder.key
    if source is Source.ID:
        assert isinstance(holder, Entity)
        return holder.id
    if source is Source.CREATED:
        return datetime_to_text(holder.created_at)
    if source is Source.UPDATED:
        return datetime_to_text(holder.updated_at)
    return item.name  # TYPENAME


def _serialized(item: Value, value: Any) -> Any:
    if value is None:
        if item.required:
            raise Unanswerable(f"{item.name} is required and has no value")
        return None
    kind = item.kind
    if kind is PropertyKind.DATETIME:
        assert isinstance(value, datetime)
        return datetime_to_text(value)
    if kind is PropertyKind.DATE:
        assert isinstance(value, date)
        return value.isoformat()
    if kind is PropertyKind.FLOAT:
        return float(value)
    if kind is PropertyKind.ENUM and item.values is not None and value not in item.values:
        raise Unanswerable(f"{item.name} holds {value!r}, not one of its values")
    return value
