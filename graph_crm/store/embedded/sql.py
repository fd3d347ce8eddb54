"""Filters and orders compiled to SQLite SQL. Every value is a parameter.

Property names reach SQL only as bound JSON paths (``json_extract(props, ?)``); the
only identifiers inlined anywhere in this backend are registry-validated names. The
filtered entity row is aliased ``e``; a relation quantifier is a correlated
``EXISTS`` whose aliases carry its nesting level (``r1``/``e1`` inside ``e``, ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from graph_crm.model.query import All, AnyOf, Compare, Filter, Not, Op, OrderBy, Quantifier, Related
from graph_crm.model.traversal import Direction
from graph_crm.model.values import datetime_to_text

_SYSTEM_COLUMNS = {"key": "key", "createdAt": "created_at", "updatedAt": "updated_at"}


def sql_value(value: Any) -> Any:
    """A canonical value as SQLite compares it (matching ``json_extract`` output)."""
    if isinstance(value, datetime):
        return datetime_to_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def field_sql(name: str, params: list[Any], alias: str = "e") -> str:
    column = _SYSTEM_COLUMNS.get(name)
    if column is not None:
        return f"{alias}.{column}"
    params.append(f"$.{name}")
    return f"json_extract({alias}.props, ?)"


def compile_filter(flt: Filter, params: list[Any]) -> str:
    """A condition on the entity row ``e``."""
    return _compile(flt, params, 0)


def _compile(flt: Filter, params: list[Any], level: int) -> str:
    if isinstance(flt, All):
        return "(" + " AND ".join(_compile(f, params, level) for f in flt.filters) + ")"
    if isinstance(flt, AnyOf):
        return "(" + " OR ".join(_compile(f, params, level) for f in flt.filters) + ")"
    if isinstance(flt, Not):
        return "(NOT " + _compile(flt.filter, params, level) + ")"
    if isinstance(flt, Related):
        return _related(flt, params, level)
    return _compare(flt, params, _alias(level))


def _alias(level: int) -> str:
    return "e" if level == 0 else f"e{level}"


def _related(flt: Related, params: list[Any], level: int) -> str:
    # fixed column names, never input: which end of a relation is the filtered one
    near, far = ("from_id", "to_id") if flt.direction is Direction.OUT else ("to_id", "from_id")
    inner = level + 1
    rel, entity = f"r{inner}", _alias(inner)
    params.extend([flt.relation, flt.far_type])
    condition = "" if flt.filter is None else " AND " + _compile(flt.filter, params, inner)
    exists = (
        f"EXISTS (SELECT 1 FROM relations {rel} JOIN entities {entity} "
        f"ON {entity}.id = {rel}.{far} WHERE {rel}.type = ? AND {rel}.{near} = {_alias(level)}.id "
        f"AND {entity}.type = ?{condition})"
    )
    return f"({exists})" if flt.quantifier is Quantifier.SOME else f"(NOT {exists})"


_BINARY = {Op.EQ: "=", Op.NE: "<>", Op.LT: "<", Op.LTE: "<=", Op.GT: ">", Op.GTE: ">="}


def _compare(flt: Compare, params: list[Any], alias: str) -> str:
    if flt.op is Op.IN and not flt.value:
        return "(0)"  # nothing is in an empty list, not even a missing value
    column = field_sql(flt.field, params, alias)
    if flt.op is Op.IS_NULL:
        return f"({column} IS {'NULL' if flt.value else 'NOT NULL'})"
    if flt.op in _BINARY:
        params.append(sql_value(flt.value))
        return f"({column} {_BINARY[flt.op]} ?)"
    if flt.op is Op.IN:
        params.extend(sql_value(v) for v in flt.value)
        return f"({column} IN ({', '.join('?' * len(flt.value))}))"
    if flt.op is Op.CONTAINS:
        params.append(flt.value)
        return f"(instr({column}, ?) > 0)"
    if flt.op is Op.STARTS_WITH:
        params.extend([len(flt.value), flt.value])
        return f"(substr({column}, 1, ?) = ?)"
    raise AssertionError(flt.op)  # pragma: no cover


def compile_order(order: Sequence[OrderBy], params: list[Any]) -> str:
    """Missing values last ascending, first descending (as Cypher orders nulls)."""
    parts: list[str] = []
    for item in order:
        column = field_sql(item.field, params)
        if item.field == "key":
            parts.append(f"{column} {'DESC' if item.descending else 'ASC'}")
            continue
        # the column expression appears twice, so bind its parameter twice
        if column.startswith("json_extract"):
            params.append(f"$.{item.field}")
        if item.descending:
            parts.append(f"({column} IS NULL) DESC, {column} DESC")
        else:
            parts.append(f"({column} IS NULL) ASC, {column} ASC")
    return ", ".join(parts)
