"""A ``where`` given as plain data, parsed and typed against an entity type (pure).

Budgets bound the work a hostile filter can ask for: depth, parts, ``in`` values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from graph_crm.errors import InvalidInput, LimitExceeded, PathPart
from graph_crm.model.query.filters import (
    OPS_FOR_KIND,
    All,
    AnyOf,
    Compare,
    Filter,
    Not,
    Op,
    Parameter,
    field_spec,
)
from graph_crm.model.query.related import parse_related
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind, PropertySpec, _TypeDefinition
from graph_crm.model.values import coerce_value

MAX_FILTER_DEPTH: Final = 12
MAX_FILTER_NODES: Final = 200
MAX_IN_VALUES: Final = 1_000
#: A report's parameters as a filter may name them (``"$asOf"``), and the property kinds
#: each compares with: an impact policy's filters allow them, a list's do not.
PARAMETER_FIELD_KINDS: Final = {
    "$asOf": frozenset({PropertyKind.DATE, PropertyKind.DATETIME}),
    "$delayDays": frozenset({PropertyKind.INT, PropertyKind.FLOAT}),
}
_PARAMETER_OPS: Final = frozenset({Op.EQ, Op.NE, Op.LT, Op.LTE, Op.GT, Op.GTE})


def check_filter(
    definition: _TypeDefinition,
    raw: Any,
    path: tuple[PathPart, ...] = ("where",),
    *,
    registry: Registry,
    parameters: bool = False,
) -> Filter | None:
    """Parse and type a filter against ``definition``; ``registry`` resolves relations.

    With ``parameters``, a comparison's value may be ``"$asOf"`` (with a DATE or DATETIME
    property) or ``"$delayDays"`` (with an INT or FLOAT): a :class:`Parameter` the caller
    binds before the filter is evaluated. A DATE compares with ``$asOf`` as the start of
    its day, UTC, so only by ``lt``, ``lte``, ``gt`` and ``gte``.

    >>> from graph_crm.model.types import parse_entity_type
    >>> shipment = parse_entity_type({"name": "Shipment", "properties": [
    ...     {"name": "value", "kind": "FLOAT"}]})
    >>> check_filter(shipment, {"value": {"gte": 1000}}, registry=Registry())
    Compare(field='value', kind=<PropertyKind.FLOAT: 'FLOAT'>, op=<Op.GTE: 'gte'>, value=1000.0)
    """
    if raw is None:
        return None
    return _Parser(registry, parameters).parse(definition, raw, path, 0)


class _Parser:
    """One filter's parse: the registry, and the node budget shared by all its parts."""

    def __init__(self, registry: Registry, parameters: bool = False) -> None:
        self.registry = registry
        self.parameters = parameters
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
                parts.extend(_parse_field(definition, str(name), body, path, self.parameters))
        return parts[0] if len(parts) == 1 else All(tuple(parts))


def _parse_field(
    definition: _TypeDefinition,
    name: str,
    body: Any,
    path: tuple[PathPart, ...],
    parameters: bool = False,
) -> list[Filter]:
    spec = field_spec(definition, name, path)
    here = (*path, name)
    if not isinstance(body, Mapping) or not body:
        raise InvalidInput(f'{name}: give an object of comparisons, e.g. {{"eq": ...}}', path=here)
    allowed = OPS_FOR_KIND[spec.kind]
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
        at = (*here, op.value)
        if parameters and isinstance(value, str) and value in PARAMETER_FIELD_KINDS:
            compares.append(
                Compare(name, spec.kind, op, _parameter(name, spec.kind, op, value, at))
            )
        else:
            compares.append(Compare(name, spec.kind, op, _operand(spec, op, value, at)))
    return compares


def _parameter(
    name: str, kind: PropertyKind, op: Op, value: str, path: tuple[PathPart, ...]
) -> Parameter:
    if kind not in PARAMETER_FIELD_KINDS[value]:
        wanted = " or ".join(sorted(PARAMETER_FIELD_KINDS[value]))
        raise InvalidInput(
            f"{value} compares with a {wanted} property; {name} is a {kind}",
            path=path,
        )
    if op not in _PARAMETER_OPS or (kind is PropertyKind.DATE and op in (Op.EQ, Op.NE)):
        allowed = "lt, lte, gt or gte" if kind is PropertyKind.DATE else "a comparison"
        raise InvalidInput(
            f"{name}: {op.value} does not take {value}; use {allowed} (a DATE meets "
            "$asOf as the start of its day, UTC), or write the condition as a formula",
            path=path,
        )
    return Parameter(value[1:])


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
