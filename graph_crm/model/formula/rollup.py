"""Rollups: ``count | sum | min | max | avg`` of a far entity's property over a relation
path of one or two hops, optionally filtered; checked against a registry (pure).

Given as plain data::

    {"rollup": "sum", "path": ["HAS_LINE"], "property": "lineTotal",
     "where": {"status": {"ne": "CANCELLED"}}}
    {"rollup": "count", "path": [{"relation": "FILED", "direction": "IN"}]}

A hop is a relation type name (followed OUT, from its ``from`` end) or an object with
``relation`` and ``direction`` (``OUT`` or ``IN``). ``where`` is the ``entities`` filter
language on the far entity, or a BOOLEAN formula over it (which may use ``$asOf``:
``"filedAt > add_days($asOf, -90)"``); a far entity passes when it is true. The values
are those of the *distinct* far entities the path reaches that pass ``where`` (an entity
reached twice counts once); nulls are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, TypeVar

from graph_crm.errors import InvalidInput, PathPart, UnknownProperty, UnknownType
from graph_crm.model.direction import Direction
from graph_crm.model.formula.check import NUMBERS, property_kinds
from graph_crm.model.formula.evaluate import NO_PARAMETERS, Parameters, evaluate_formula
from graph_crm.model.formula.formula import Formula, compile_formula
from graph_crm.model.formula.problems import EvaluationFailed, FormulaProblem
from graph_crm.model.query import Filter, Related, check_filter, evaluate_in_graph
from graph_crm.model.query.filters import ORDERED_KINDS
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind
from graph_crm.model.values import INT_MAX, INT_MIN

MAX_HOPS: Final = 2
_FIELDS: Final = frozenset({"rollup", "path", "property", "where"})

Node = TypeVar("Node", bound=Hashable)


class Aggregate(StrEnum):
    COUNT = "count"
    SUM = "sum"
    MIN = "min"
    MAX = "max"
    AVG = "avg"


@dataclass(frozen=True, slots=True)
class Hop:
    relation: str
    direction: Direction


@dataclass(frozen=True)
class Rollup:
    """A checked rollup on ``owner``: ``aggregate`` of ``far_type``'s ``property``
    (``None``: count the entities) over ``hops``, of those that pass ``where`` (a filter
    or a BOOLEAN formula)."""

    aggregate: Aggregate
    hops: tuple[Hop, ...]
    owner: str
    far_type: str
    property: str | None
    where: Filter | Formula | None
    kind: PropertyKind


def check_rollup(
    registry: Registry,
    owner: str,
    raw: Any,
    path: tuple[PathPart, ...] = (),
    computed: Mapping[str, Mapping[str, PropertyKind]] | None = None,
) -> Rollup:
    """Check ``raw`` as a rollup on entity type ``owner``; ``computed`` gives the kinds of
    computed properties by type, so a rollup may aggregate a far formula.

    >>> from graph_crm.model.types import EntityType, RelationType
    >>> registry = Registry.from_definitions(1, [EntityType(name="Order"), EntityType(
    ...     name="OrderLine", properties=[{"name": "quantity", "kind": "INT"}])],
    ...     [RelationType(name="HAS_LINE", from_type="Order", to_type="OrderLine")])
    >>> check_rollup(registry, "Order", {"rollup": "sum", "path": ["HAS_LINE"],
    ...     "property": "quantity"}).kind
    <PropertyKind.INT: 'INT'>
    """
    if not isinstance(raw, Mapping):
        raise InvalidInput("a rollup is an object with rollup, path and property", path=path)
    unknown = sorted(str(key)[:40] for key in raw if key not in _FIELDS)
    if unknown:
        raise InvalidInput(
            f"unknown rollup field(s) {', '.join(unknown)}; use " + ", ".join(sorted(_FIELDS)),
            path=(*path, unknown[0]),
        )
    try:
        aggregate = Aggregate(str(raw.get("rollup")))
    except ValueError:
        raise InvalidInput(
            "rollup is one of " + ", ".join(a.value for a in Aggregate), path=(*path, "rollup")
        ) from None
    hops, far = rollup_hops(registry, registry.entity_type(owner).name, raw.get("path"), path)
    far_type = registry.entity_type(far)
    name = raw.get("property")
    kind = PropertyKind.INT
    kinds = property_kinds(far_type, (computed or {}).get(far))
    if name is not None:
        if not isinstance(name, str) or name not in kinds:
            raise UnknownProperty(
                f"{far} has no property {str(name)[:80]!r}", path=(*path, "property")
            )
        kind = PropertyKind.STRING if kinds[name] is PropertyKind.ENUM else kinds[name]
        kind = _result_kind(aggregate, kind, name, (*path, "property"))
    elif aggregate is not Aggregate.COUNT:
        raise InvalidInput(f"{aggregate.value} needs a property", path=(*path, "property"))
    where: Filter | Formula | None
    if isinstance(raw.get("where"), str):
        where = compile_formula(raw["where"], kinds, far, (*path, "where"))
        if where.kind is not PropertyKind.BOOLEAN:
            raise FormulaProblem(
                f"where is a condition: this formula gives {where.kind}, not BOOLEAN",
                path=(*path, "where"),
            )
    else:
        where = check_filter(far_type, raw.get("where"), (*path, "where"), registry=registry)
    return Rollup(aggregate, hops, owner, far, name, where, kind)


def rollup_hops(
    registry: Registry, owner: str, raw: Any, path: tuple[PathPart, ...]
) -> tuple[tuple[Hop, ...], str]:
    """The checked hops of a rollup's ``path`` from ``owner``, and the far entity type."""
    here = (*path, "path")
    if not isinstance(raw, Sequence) or isinstance(raw, str) or not 1 <= len(raw) <= MAX_HOPS:
        raise InvalidInput(f"path is a list of 1 to {MAX_HOPS} relation hops", path=here)
    hops: list[Hop] = []
    near = owner
    for index, item in enumerate(raw):
        at = (*here, index)
        relation, direction = (item, "OUT") if isinstance(item, str) else _hop_object(item, at)
        relation_type = registry.relation_types.get(relation)
        if relation_type is None:
            raise UnknownType(f"there is no relation type {relation[:80]!r}", path=at)
        if direction not in ("OUT", "IN"):
            raise InvalidInput("direction is OUT or IN", path=(*at, "direction"))
        start, end = relation_type.from_type, relation_type.to_type
        if direction == "IN":
            start, end = end, start
        if start != near:
            raise InvalidInput(
                f"{relation} goes from {relation_type.from_type} to {relation_type.to_type}: "
                f"followed {direction} it starts at {start}, not at {near}",
                path=at,
            )
        hops.append(Hop(relation, Direction(direction)))
        near = end
    return tuple(hops), near


def _hop_object(item: Any, at: tuple[PathPart, ...]) -> tuple[str, Any]:
    if not isinstance(item, Mapping) or not isinstance(item.get("relation"), str):
        raise InvalidInput(
            'a hop is a relation type name or {"relation": ..., "direction": "OUT" | "IN"}',
            path=at,
        )
    extra = set(item) - {"relation", "direction"}
    if extra:
        raise InvalidInput("a hop has only relation and direction", path=at)
    direction = item.get("direction", "OUT")
    return item["relation"], direction.upper() if isinstance(direction, str) else direction


def _result_kind(
    aggregate: Aggregate, kind: PropertyKind, name: str, path: tuple[PathPart, ...]
) -> PropertyKind:
    if aggregate is Aggregate.COUNT:
        return PropertyKind.INT
    if aggregate in (Aggregate.SUM, Aggregate.AVG):
        if kind not in NUMBERS:
            raise InvalidInput(f"`{name}` is {kind}; {aggregate.value} needs numbers", path=path)
        return PropertyKind.FLOAT if aggregate is Aggregate.AVG else kind
    if kind not in ORDERED_KINDS:
        raise InvalidInput(f"`{name}` is {kind}; {aggregate.value} needs ordered values", path=path)
    return kind


def aggregate_values(rollup: Rollup, values: Iterable[Any]) -> Any:
    """The rollup's value from its property's value on each distinct far entity (``True``
    per entity for a count without property). Sums of nothing are 0, other aggregates of
    nothing null; FLOAT sums are exact-then-rounded (``math.fsum``).

    >>> from graph_crm.model.direction import Direction
    >>> total = Rollup(Aggregate.SUM, (Hop("HAS_LINE", Direction.OUT),), "Order",
    ...     "OrderLine", "lineTotal", None, PropertyKind.FLOAT)
    >>> aggregate_values(total, [0.1, None, 0.2]), aggregate_values(total, [])
    (0.30000000000000004, 0.0)
    """
    present = [value for value in values if value is not None]
    aggregate = rollup.aggregate
    if aggregate is Aggregate.COUNT:
        return len(present)
    if aggregate is Aggregate.SUM:
        if rollup.kind is PropertyKind.INT:
            total = sum(present)
            if not INT_MIN <= total <= INT_MAX:
                raise EvaluationFailed("a sum does not fit in 64 bits")
            return total
        return math.fsum(present)
    if not present:
        return None
    if aggregate is Aggregate.AVG:
        return math.fsum(present) / len(present)
    return min(present) if aggregate is Aggregate.MIN else max(present)


def evaluate_rollup(
    rollup: Rollup,
    start: Node,
    fields_of: Callable[[Node], Mapping[str, Any]],
    step: Callable[[Node, Hop], Iterable[Node]],
    far_ends: Callable[[Node, Related], Iterable[Node]],
    parameters: Parameters = NO_PARAMETERS,
) -> Any:
    """The rollup's value on ``start`` in an in-memory graph: ``step(node, hop)`` lists the
    entities one hop away, ``far_ends`` answers relation quantifiers in ``where``.

    Each hop is a step of its own from the distinct entities the previous one reached (in
    Cypher: a ``WITH DISTINCT`` between hops; one pattern would refuse to walk back along
    the relation it came by)."""
    reached = {start}
    for hop in rollup.hops:
        reached = {far for near in reached for far in step(near, hop)}
    where = rollup.where

    def passes(far: Node) -> bool:
        if where is None:
            return True
        if isinstance(where, Formula):
            return evaluate_formula(where, fields_of(far), parameters) is True
        return evaluate_in_graph(where, far, fields_of, far_ends) is True

    passing = [far for far in reached if passes(far)]
    name = rollup.property
    return aggregate_values(
        rollup, (True if name is None else fields_of(f).get(name) for f in passing)
    )
