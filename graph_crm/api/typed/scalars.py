"""The scalars the typed part adds to the core schema's: ``Long`` and ``Date``."""

from __future__ import annotations

from datetime import date
from typing import Any

from graphql import GraphQLError, GraphQLScalarType

from graph_crm.errors import GraphCrmError
from graph_crm.model.types import PropertyKind, PropertySpec
from graph_crm.model.values import coerce_value


def _coerce(kind: PropertyKind, value: Any) -> Any:
    try:
        return coerce_value(PropertySpec(name="value", kind=kind), value)
    except GraphCrmError as error:
        raise GraphQLError(error.message) from None


def _serialize_long(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise GraphQLError(f"Long cannot represent {value!r}")
    return value


def _serialize_date(value: Any) -> str:
    if not isinstance(value, date):
        raise GraphQLError(f"Date cannot represent {value!r}")
    return value.isoformat()


LONG = GraphQLScalarType(
    "Long",
    description=(
        "A 64-bit integer, written as a JSON number (JavaScript clients lose precision "
        "beyond 2^53)."
    ),
    serialize=_serialize_long,
    parse_value=lambda value: _coerce(PropertyKind.INT, value),
)
DATE = GraphQLScalarType(
    "Date",
    description="A calendar date, YYYY-MM-DD.",
    serialize=_serialize_date,
    parse_value=lambda value: _coerce(PropertyKind.DATE, value),
)
