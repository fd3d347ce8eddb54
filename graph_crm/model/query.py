"""Filters, ordering and cursors: parsed and typed here, compiled by each backend.

A filter is given as plain data, the shape the GraphQL ``where`` inputs take::

    {"status": {"eq": "IN_TRANSIT"}, "value": {"gte": 1000}}
    {"or": [{"name": {"startsWith": "上海"}}, {"not": {"tier": {"isNull": true}}}]}
    {"HAS_SUBSIDIARY": {"some": {"country": {"eq": "CN"}}}}
    {"MENTIONS": {"direction": "IN", "none": {}}}

Comparisons on a missing property are unknown (SQL/Cypher three-valued logic), so
``ne`` and ``not`` never match an entity that lacks the property. A relation
quantifier (an UPPER_SNAKE key, see :mod:`.related`) is always true or false.
Ordering puts missing values last when ascending and first when descending, on
every backend.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from graph_crm.errors import InvalidInput, LimitExceeded, PathPart, UnknownProperty
from graph_crm.model.graph import Entity
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind, PropertySpec, _TypeDefinition
from graph_crm.model.values import coerce_value, value_from_json, value_to_json

if TYPE_CHECKING:
    from graph_crm.model.traversal import Direction

MAX_FILTER_DEPTH: Final = 12
MAX_FILTER_NODES: Final = 200
MAX_IN_VALUES: Final = 1_000
MAX_ORDER_FIELDS: Final = 5
MAX_PAGE_SIZE: Final = 1_000

#: The fields every entity has besides its user properties, with their kinds.
SYSTEM_FIELDS: Final = {
    "key": PropertySpec(name="systemKey", kind=PropertyKind.STRING),
    "createdAt": PropertySpec(name="systemCreatedAt", kind=PropertyKind.DATETIME),
    "updatedAt": PropertySpec(name="systemUpdatedAt", kind=PropertyKind.DATETIME),
}


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    IN = "in"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    CONTAINS = "contains"
    STARTS_WITH = "startsWith"
    IS_NULL = "isNull"


_ORDERED_KINDS = frozenset(
    {
        PropertyKind.STRING,
        PropertyKind.INT,
        PropertyKind.FLOAT,
        PropertyKind.DATE,
        PropertyKind.DATETIME,
        PropertyKind.ENUM,
    }
)
_OPS_FOR_KIND: Final = {
    kind: frozenset({Op.EQ, Op.NE, Op.IN, Op.IS_NULL})
    | (frozenset({Op.LT, Op.LTE, Op.GT, Op.GTE}) if kind in _ORDERED_KINDS else frozenset())
    | (frozenset({Op.CONTAINS, Op.STARTS_WITH}) if kind is PropertyKind.STRING else frozenset())
    for kind in PropertyKind
}
_OPS_FOR_KIND[PropertyKind.JSON] = frozenset({Op.IS_NULL})


@dataclass(frozen=True, slots=True)
class Compare:
    """``field <op> value``; ``value`` is canonical (a list for IN, a bool for IS_NULL)."""

    field: str
    kind: PropertyKind
    op: Op
    value: Any


@dataclass(frozen=True, slots=True)
class All:
    filters: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    filters: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Not:
    filter: Filter


class Quantifier(StrEnum):
    SOME = "some"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Related:
    """Linked by ``relation`` (followed ``direction``-wise) to some / no ``far_type``
    entity that passes ``filter`` (``None``: any entity at all)."""

    relation: str
    direction: Direction
    quantifier: Quantifier
    far_type: str
    filter: Filter | None


Filter = Compare | All | AnyOf | Not | Related
#: Whether the entity being evaluated satisfies a relation quantifier.
RelatedCheck = Callable[[Related], bool]


def field_spec(definition: _TypeDefinition, name: str, path: tuple[PathPart, ...]) -> PropertySpec:
    """The spec of a filterable or sortable field: a user property or a system field."""
    if name in SYSTEM_FIELDS:
        return SYSTEM_FIELDS[name]
    spec = definition.spec(name)
    if spec is None:
        raise UnknownProperty(
            f"{definition.name} has no property {name[:80]!r}", path=(*path, name[:80])
        )
    return spec


def check_filter(
    definition: _TypeDefinition,
    raw: Any,
    path: tuple[PathPart, ...] = ("where",),
    *,
    registry: Registry,
) -> Filter | None:
    """Parse and type a filter against ``definition``; ``registry`` resolves relations.

    >>> from graph_crm.model.types import parse_entity_type
    >>> shipment = parse_entity_type({"name": "Shipment", "properties": [
    ...     {"name": "value", "kind": "FLOAT"}]})
    >>> check_filter(shipment, {"value": {"gte": 1000}}, registry=Registry())
    Compare(field='value', kind=<PropertyKind.FLOAT: 'FLOAT'>, op=<Op.GTE: 'gte'>, value=1000.0)
    """
    if raw is None:
        return None
    return _Parser(registry).parse(definition, raw, path, 0)


class _Parser:
    """One filter's parse: the registry, and the node budget shared by all its parts."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.budget = MAX_FILTER_NODES

    def spend(self, depth: int, path: tuple[PathPart, ...]) -> None:
        if depth > MAX_FILTER_DEPTH:
            raise LimitExceeded(
                f"filter is nested deeper than {MAX_FILTER_DEPTH} levels", path=path
            )
        self.budget -= 1
        if self.budget < 0:
            raise LimitExceeded(f"filter has more than {MAX_FILTER_NODES} parts", path=path)

    def parse(
        self, definition: _TypeDefinition, raw: Any, path: tuple[PathPart, ...], depth: int
    ) -> Filter:
        self.spend(depth, path)
        if not isinstance(raw, Mapping) or not raw:
            raise InvalidInput("a filter must be a non-empty object", path=path)
        parts: list[Filter] = []
        for name, body in raw.items():
            here = (*path, str(name)[:80])
            if name in ("and", "or"):
                if not isinstance(body, Sequence) or isinstance(body, str) or not body:
                    raise InvalidInput(f"'{name}' takes a non-empty list of filters", path=here)
                children = tuple(
                    self.parse(definition, child, (*here, i), depth + 1)
                    for i, child in enumerate(body)
                )
                parts.append(All(children) if name == "and" else AnyOf(children))
            elif name == "not":
                parts.append(Not(self.parse(definition, body, here, depth + 1)))
            elif isinstance(name, str) and name[:1].isascii() and name[:1].isupper():
                # Property names are camelCase, so a capitalised key names a relation.
                from graph_crm.model.related import parse_related  # it imports this module

                self.spend(depth + 1, here)
                parts.append(
                    parse_related(
                        self.registry,
                        definition,
                        name,
                        body,
                        here,
                        lambda far, inner, at: self.parse(far, inner, at, depth + 1),
                    )
                )
            else:
                parts.extend(_parse_field(definition, str(name), body, path))
        return parts[0] if len(parts) == 1 else All(tuple(parts))


def _parse_field(
    definition: _TypeDefinition, name: str, body: Any, path: tuple[PathPart, ...]
) -> list[Filter]:
    spec = field_spec(definition, name, path)
    here = (*path, name)
    if not isinstance(body, Mapping) or not body:
        raise InvalidInput(f'{name}: give an object of comparisons, e.g. {{"eq": ...}}', path=here)
    allowed = _OPS_FOR_KIND[spec.kind]
    compares: list[Filter] = []
    for op_name, value in body.items():
        try:
            op = Op(op_name)
        except ValueError:
            raise InvalidInput(
                f"{name}: unknown comparison {str(op_name)[:40]!r}; use one of "
                + ", ".join(sorted(o.value for o in allowed)),
                path=(*here, str(op_name)[:40]),
            ) from None
        if op not in allowed:
            raise InvalidInput(
                f"{name}: {op.value} does not apply to a {spec.kind} property",
                path=(*here, op.value),
            )
        compares.append(Compare(name, spec.kind, op, _operand(spec, op, value, (*here, op.value))))
    return compares


def _operand(spec: PropertySpec, op: Op, value: Any, path: tuple[PathPart, ...]) -> Any:
    if op is Op.IS_NULL:
        if not isinstance(value, bool):
            raise InvalidInput("isNull takes true or false", path=path)
        return value
    if op is Op.IN:
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise InvalidInput("in takes a list of values", path=path)
        if len(value) > MAX_IN_VALUES:
            raise LimitExceeded(f"in takes at most {MAX_IN_VALUES} values", path=path)
        return [coerce_value(spec, item, (*path, i)) for i, item in enumerate(value)]
    if value is None:
        raise InvalidInput(f"{op.value} needs a value; use isNull to test for null", path=path)
    if op in (Op.CONTAINS, Op.STARTS_WITH):
        if not isinstance(value, str):
            raise InvalidInput(f"{op.value} takes a string", path=path)
        return value
    return coerce_value(spec, value, path)


# -- evaluation in Python (used where the data is in memory) -------------------------------


def evaluate(
    flt: Filter, fields: Mapping[str, Any], related: RelatedCheck | None = None
) -> bool | None:
    """Three-valued evaluation, as SQL and Cypher do: ``None`` means unknown.

    ``fields`` cannot tell how an entity is linked: ``related`` answers the relation
    quantifiers for it (see :func:`graph_crm.model.related.evaluate_in_graph`).

    >>> evaluate(Compare("tier", PropertyKind.INT, Op.NE, 1), {})
    >>> evaluate(Not(Compare("tier", PropertyKind.INT, Op.EQ, 1)), {"tier": 2})
    True
    """
    if isinstance(flt, Compare):
        return _compare(flt, fields.get(flt.field))
    if isinstance(flt, Related):
        if related is None:
            raise ValueError(f"evaluating a {flt.relation} filter needs a `related` callback")
        return related(flt)
    if isinstance(flt, Not):
        inner = evaluate(flt.filter, fields, related)
        return None if inner is None else not inner
    results = [evaluate(child, fields, related) for child in flt.filters]
    if isinstance(flt, All):
        if any(result is False for result in results):
            return False
        return None if any(result is None for result in results) else True
    if any(result is True for result in results):
        return True
    return None if any(result is None for result in results) else False


def _compare(flt: Compare, actual: Any) -> bool | None:
    if flt.op is Op.IS_NULL:
        return bool((actual is None) == flt.value)
    if flt.op is Op.IN and not flt.value:
        return False  # as in SQL and Cypher: nothing is in an empty list, not even null
    if actual is None:
        return None
    expected = flt.value
    match flt.op:
        case Op.EQ:
            return bool(actual == expected)
        case Op.NE:
            return bool(actual != expected)
        case Op.IN:
            return bool(actual in expected)
        case Op.LT:
            return bool(actual < expected)
        case Op.LTE:
            return bool(actual <= expected)
        case Op.GT:
            return bool(actual > expected)
        case Op.GTE:
            return bool(actual >= expected)
        case Op.CONTAINS:
            return expected in actual
        case Op.STARTS_WITH:
            return bool(actual.startswith(expected))
    raise AssertionError(flt.op)  # pragma: no cover


# -- ordering and cursors --------------------------------------------------------------------


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
        if spec.kind not in _ORDERED_KINDS and spec.kind is not PropertyKind.BOOLEAN:
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
    text = type_name + "|" + ",".join(f"{o.field}:{int(o.descending)}" for o in order)
    return hashlib.blake2b(text.encode(), digest_size=6).hexdigest()


def encode_cursor(type_name: str, order: Sequence[OrderBy], values: Sequence[Any]) -> str:
    """An opaque cursor holding the sort values of the last row of a page."""
    payload = {
        "o": _fingerprint(type_name, order),
        "v": [value_to_json(o.kind, v) for o, v in zip(order, values, strict=True)],
    }
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
