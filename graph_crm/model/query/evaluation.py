"""Filters evaluated in Python, where the data is in memory: the reference semantics (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph_crm.model.query.filters import (
    All,
    Compare,
    Filter,
    Not,
    Op,
    Related,
    RelatedCheck,
)


def evaluate(
    flt: Filter, fields: Mapping[str, Any], related: RelatedCheck | None = None
) -> bool | None:
    """Three-valued evaluation, as SQL and Cypher do: ``None`` means unknown.

    ``fields`` cannot tell how an entity is linked: ``related`` answers the relation
    quantifiers for it (see :func:`graph_crm.model.query.related.evaluate_in_graph`).

    >>> from graph_crm.model.types import PropertyKind
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
