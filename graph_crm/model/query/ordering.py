"""Ordering, page sizes and keyset cursors for entity lists (pure).

A cursor holds the sort values of a page's last row, fingerprinted by type and order;
:func:`after_filter` turns it into the filter for the rows after it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final

import orjson

from graph_crm.errors import InvalidInput, LimitExceeded, PathPart
from graph_crm.model.graph import Entity
from graph_crm.model.query.filters import (
    ORDERED_KINDS,
    All,
    AnyOf,
    Compare,
    Filter,
    Op,
    field_spec,
)
from graph_crm.model.types import PropertyKind, _TypeDefinition
from graph_crm.model.values import value_from_json, value_to_json

MAX_ORDER_FIELDS: Final = 5
MAX_PAGE_SIZE: Final = 1_000


@dataclass(frozen=True, slots=True)
class OrderBy:
    field: str
    kind: PropertyKind
    descending: bool = False


def check_order(definition: _TypeDefinition, raw: Any) -> tuple[OrderBy, ...]:
    """Parse ``[{"field": "revenue", "direction": "DESC"}, "name"]`` (``-name`` = DESC).

    The key is always the last tie-breaker, so an order is total.
    """
    if raw is None:
        raw = []
    if isinstance(raw, str | Mapping):
        raw = [raw]
    if not isinstance(raw, Sequence):
        raise InvalidInput("orderBy takes a list", path=("orderBy",))
    if len(raw) > MAX_ORDER_FIELDS:
        raise LimitExceeded(f"orderBy takes at most {MAX_ORDER_FIELDS} fields", path=("orderBy",))
    order: list[OrderBy] = []
    for index, item in enumerate(raw):
        path: tuple[PathPart, ...] = ("orderBy", index)
        name: Any
        if isinstance(item, str):
            name, descending = (item[1:], True) if item.startswith("-") else (item, False)
        elif isinstance(item, Mapping):
            name = item.get("field")
            direction = str(item.get("direction", "ASC")).upper()
            if direction not in ("ASC", "DESC"):
                raise InvalidInput("direction is ASC or DESC", path=(*path, "direction"))
            descending = direction == "DESC"
        else:
            raise InvalidInput("an orderBy item is a field name or an object", path=path)
        if not isinstance(name, str):
            raise InvalidInput("orderBy needs a field name", path=path)
        spec = field_spec(definition, name, path)
        if spec.kind not in ORDERED_KINDS and spec.kind is not PropertyKind.BOOLEAN:
            raise InvalidInput(f"cannot order by a {spec.kind} property", path=path)
        order.append(OrderBy(name, spec.kind, descending))
    if not any(o.field == "key" for o in order):
        order.append(OrderBy("key", PropertyKind.STRING))
    return tuple(order)


def check_page_size(first: int) -> int:
    if isinstance(first, bool) or not isinstance(first, int) or first < 0:
        raise InvalidInput("first must be a non-negative integer", path=("first",))
    if first > MAX_PAGE_SIZE:
        raise LimitExceeded(f"a page holds at most {MAX_PAGE_SIZE} items", path=("first",))
    return first


def _fingerprint(type_name: str, order: Sequence[OrderBy]) -> str:
    return _order_fingerprint(type_name, tuple(order))


@lru_cache(maxsize=1024)
def _order_fingerprint(type_name: str, order: tuple[OrderBy, ...]) -> str:
    # a page's every cursor has the same: worked out once
    text = type_name + "|" + ",".join(f"{o.field}:{int(o.descending)}" for o in order)
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def encode_cursor(type_name: str, order: Sequence[OrderBy], values: Sequence[Any]) -> str:
    """An opaque cursor holding the sort values of the last row of a page."""
    payload = {
        "o": _fingerprint(type_name, order),
        "v": [value_to_json(o.kind, v) for o, v in zip(order, values, strict=True)],
    }
    try:
        raw = orjson.dumps(payload)  # compact UTF-8 JSON, in C
    except orjson.JSONEncodeError:  # an integer past 64 bits: the standard library's
        raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def entity_cursor(type_name: str, order: Sequence[OrderBy], entity: Entity) -> str:
    """The cursor right after ``entity`` in a list of ``type_name`` in ``order``."""
    system = {"key": entity.key, "createdAt": entity.created_at, "updatedAt": entity.updated_at}
    values = [
        system[o.field] if o.field in system else entity.properties.get(o.field) for o in order
    ]
    return encode_cursor(type_name, order, values)


def decode_cursor(type_name: str, order: Sequence[OrderBy], cursor: str) -> list[Any]:
    bad = InvalidInput(
        "the cursor is not valid for this list (it comes from another type or order)",
        path=("after",),
    )
    if not isinstance(cursor, str) or len(cursor) > 4_096:
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        if payload["o"] != _fingerprint(type_name, order) or len(payload["v"]) != len(order):
            raise bad
        return [value_from_json(o.kind, v) for o, v in zip(order, payload["v"], strict=True)]
    except (binascii.Error, ValueError, KeyError, TypeError, AttributeError):
        raise bad from None


def after_filter(order: Sequence[OrderBy], values: Sequence[Any]) -> Filter:
    """The rows strictly after ``values`` in ``order`` (keyset pagination).

    Missing values sort last ascending and first descending; the last order field is
    the unique key, so the order is total.
    """
    alternatives: list[Filter] = []
    equal_so_far: list[Filter] = []
    for item, value in zip(order, values, strict=True):
        later = _later(item, value)
        if later is not None:
            alternatives.append(All((*equal_so_far, later)) if equal_so_far else later)
        if value is None:
            equal_so_far.append(Compare(item.field, item.kind, Op.IS_NULL, True))
        else:
            equal_so_far.append(Compare(item.field, item.kind, Op.EQ, value))
    if not alternatives:
        # Only reachable with a null key, which cannot happen; match nothing.
        return Compare("key", PropertyKind.STRING, Op.IS_NULL, True)
    return alternatives[0] if len(alternatives) == 1 else AnyOf(tuple(alternatives))


def _later(item: OrderBy, value: Any) -> Filter | None:
    is_null = Compare(item.field, item.kind, Op.IS_NULL, True)
    if item.descending:
        if value is None:
            return Compare(item.field, item.kind, Op.IS_NULL, False)
        return Compare(item.field, item.kind, Op.LT, value)
    if value is None:
        return None
    return AnyOf((Compare(item.field, item.kind, Op.GT, value), is_null))
