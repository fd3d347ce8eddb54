"""Filters and orders compiled to SQLite SQL. Every value is a parameter.

Property names reach SQL only as bound JSON paths (``json_extract(props, ?)``); the
only identifiers inlined anywhere in this backend are registry-validated names. The
filtered entity row is aliased ``e``.

A relation quantifier on ``e`` is a correlated ``EXISTS`` (a few index probes per
row of ``e``). A quantifier nested inside another is an uncorrelated set, a named
common table expression (``related1``, ...) of the near ends of the matching relations,
tested with ``e1.id IN related1``: SQLite materializes it once per statement, so a
chain of nested quantifiers costs the relations of each level once, not one walk per
path (a correlated chain re-evaluates every inner level for every path that reaches it,
which grows with the fan-out to the power of the depth), and the SQL stays flat however
deep the filter nests. Both forms are exactly "at least one far entity passes": ids and
relation ends are never null, so ``IN`` / ``NOT IN`` are never unknown.
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


class RelatedSets:
    """The sets a filter's nested quantifiers read: a ``WITH`` clause for its statement."""

    def __init__(self) -> None:
        self._bodies: list[str] = []
        #: The parameters of :meth:`clause`, which comes first in the statement.
        self.params: list[Any] = []

    def clause(self) -> str:
        """``WITH related1 (id) AS (...), ... `` (empty without nested quantifiers)."""
        return f"WITH {', '.join(self._bodies)} " if self._bodies else ""

    def add(self, flt: Related) -> str:
        """Name the set of near ends of ``flt``'s relations whose far end passes its filter."""
        near, far = _ends(flt)
        params: list[Any] = [flt.relation, flt.far_type]
        # a set nested in this one is added (with its parameters) before it: WITH order
        condition = "" if flt.filter is None else " AND " + _compile(flt.filter, params, "x", self)
        name = f"related{len(self._bodies) + 1}"
        self._bodies.append(
            f"{name} (id) AS (SELECT r.{near} FROM relations r JOIN entities x "
            f"ON x.id = r.{far} WHERE r.type = ? AND x.type = ?{condition})"
        )
        self.params.extend(params)
        return name


def compile_filter(flt: Filter, params: list[Any], sets: RelatedSets | None = None) -> str:
    """A condition on the entity row ``e``; ``sets`` collects what nested quantifiers read
    (required when ``flt`` may hold them)."""
    collected = RelatedSets() if sets is None else sets
    condition = _compile(flt, params, "e", collected, top=True)
    if sets is None and collected.clause():
        raise AssertionError("a filter with nested quantifiers needs RelatedSets")
    return condition


def _compile(
    flt: Filter, params: list[Any], alias: str, sets: RelatedSets, *, top: bool = False
) -> str:
    if isinstance(flt, All):
        parts = (_compile(f, params, alias, sets, top=top) for f in flt.filters)
        return "(" + " AND ".join(parts) + ")"
    if isinstance(flt, AnyOf):
        parts = (_compile(f, params, alias, sets, top=top) for f in flt.filters)
        return "(" + " OR ".join(parts) + ")"
    if isinstance(flt, Not):
        return "(NOT " + _compile(flt.filter, params, alias, sets, top=top) + ")"
    if isinstance(flt, Related):
        if top:
            return _exists(flt, params, alias, sets)
        member = "IN" if flt.quantifier is Quantifier.SOME else "NOT IN"
        return f"({alias}.id {member} {sets.add(flt)})"
    return _compare(flt, params, alias)


def _ends(flt: Related) -> tuple[str, str]:
    # fixed column names, never input: which end of a relation is the filtered one
    return ("from_id", "to_id") if flt.direction is Direction.OUT else ("to_id", "from_id")


def _exists(flt: Related, params: list[Any], alias: str, sets: RelatedSets) -> str:
    near, far = _ends(flt)
    params.extend([flt.relation, flt.far_type])
    condition = "" if flt.filter is None else " AND " + _compile(flt.filter, params, "e1", sets)
    exists = (
        f"EXISTS (SELECT 1 FROM relations r1 JOIN entities e1 ON e1.id = r1.{far} "
        f"WHERE r1.type = ? AND e1.type = ?{condition} AND r1.{near} = {alias}.id)"
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
