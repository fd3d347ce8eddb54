"""Filters and orders compiled to SQLite SQL. Every value is a parameter.

Property names reach SQL only as bound JSON paths (``json_extract(props, ?)``); the
only identifiers inlined anywhere in this backend are registry-validated names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from graph_crm.model.query import All, AnyOf, Compare, Filter, Not, Op, OrderBy
from graph_crm.model.values import datetime_to_text

_SYSTEM_COLUMNS = {"key": "e.key", "createdAt": "e.created_at", "updatedAt": "e.updated_at"}


def sql_value(value: Any) -> Any:
    """A canonical value as SQLite compares it (matching ``json_extract`` output)."""
    if isinstance(value, datetime):
        return datetime_to_text(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def field_sql(name: str, params: list[Any]) -> str:
    column = _SYSTEM_COLUMNS.get(name)
    if column is not None:
        return column
    params.append(f"$.{name}")
    return "json_extract(e.props, ?)"


def compile_filter(flt: Filter, params: list[Any]) -> str:
    if isinstance(flt, All):
        return "(" + " AND ".join(compile_filter(f, params) for f in flt.filters) + ")"
    if isinstance(flt, AnyOf):
        return "(" + " OR ".join(compile_filter(f, params) for f in flt.filters) + ")"
    if isinstance(flt, Not):
        return "(NOT " + compile_filter(flt.filter, params) + ")"
    return _compare(flt, params)


_BINARY = {Op.EQ: "=", Op.NE: "<>", Op.LT: "<", Op.LTE: "<=", Op.GT: ">", Op.GTE: ">="}


def _compare(flt: Compare, params: list[Any]) -> str:
    if flt.op is Op.IN and not flt.value:
        return "(0)"  # nothing is in an empty list, not even a missing value
    column = field_sql(flt.field, params)
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
