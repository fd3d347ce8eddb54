"""The filter tree a parsed ``where`` becomes, and the fields it may compare (pure).

Each backend compiles this tree (SQL, Cypher) and :mod:`.evaluation` is the reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from graph_crm.errors import PathPart, UnknownProperty
from graph_crm.model.direction import Direction
from graph_crm.model.types import PropertyKind, PropertySpec, _TypeDefinition

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


ORDERED_KINDS = frozenset(
    {
        PropertyKind.STRING,
        PropertyKind.INT,
        PropertyKind.FLOAT,
        PropertyKind.DATE,
        PropertyKind.DATETIME,
        PropertyKind.ENUM,
    }
)
OPS_FOR_KIND: Final = {
    kind: frozenset({Op.EQ, Op.NE, Op.IN, Op.IS_NULL})
    | (frozenset({Op.LT, Op.LTE, Op.GT, Op.GTE}) if kind in ORDERED_KINDS else frozenset())
    | (frozenset({Op.CONTAINS, Op.STARTS_WITH}) if kind is PropertyKind.STRING else frozenset())
    for kind in PropertyKind
}
OPS_FOR_KIND[PropertyKind.JSON] = frozenset({Op.IS_NULL})


@dataclass(frozen=True, slots=True)
class Parameter:
    """A report's ``$asOf`` or ``$delayDays`` as a comparison's value, in a filter that
    allows them (an impact policy's): bound to a value before a backend sees the filter
    (:func:`graph_crm.impact.bind.bind_filter`)."""

    name: str


@dataclass(frozen=True, slots=True)
class Compare:
    """``field <op> value``; ``value`` is canonical (a list for IN, a bool for IS_NULL),
    or a :class:`Parameter` until it is bound."""

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
