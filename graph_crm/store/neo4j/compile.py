"""Filters and orders compiled to Cypher fragments (traversals: :mod:`.traverse_compile`).

Fragments hold only registry-checked identifiers (quoted by :mod:`.queries`) and
``$parameters``; values go into the parameter map, never into the text.

A relation quantifier on the filtered node is an ``EXISTS { MATCH ... }`` (its far node
is ``related1``). A quantifier nested inside another is a :class:`RelatedSet` instead:
a parameter holding the element ids of the entities that pass it, which its own
statement (``related_set_*.cypher``) computes once, in the same transaction, before the
statement that uses it (:func:`resolved`). A nested ``EXISTS`` would re-run every inner
level for every path that reaches it, a cost that grows with the fan-out to the power
of the depth; the sets cost the relations of each level once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from neo4j import AsyncManagedTransaction

from graph_crm.model.query import (
    All,
    AnyOf,
    Compare,
    Filter,
    Not,
    Op,
    OrderBy,
    Quantifier,
    Related,
)
from graph_crm.model.traversal import Direction
from graph_crm.model.types import PropertyKind
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.queries import label, prop, rel_type
from graph_crm.tracing import statement_span

_SYSTEM_FIELDS = {"key": "key", "createdAt": "createdAt", "updatedAt": "updatedAt"}
_BINARY = {Op.EQ: "=", Op.NE: "<>", Op.LT: "<", Op.LTE: "<=", Op.GT: ">", Op.GTE: ">="}


class Params:
    """Collects parameter values and hands out their names."""

    def __init__(self, prefix: str = "p") -> None:
        self.values: dict[str, Any] = {}
        self._prefix = prefix

    def add(self, value: Any) -> str:
        name = f"{self._prefix}{len(self.values)}"
        self.values[name] = value
        return f"${name}"


class RelatedSet:
    """A parameter whose value is computed in the transaction: the element ids of the
    near ends of a quantifier's relations whose far end passes its filter."""

    def __init__(self, related: Related) -> None:
        params = Params()
        where = compile_filter(related.filter, "n", params)
        far, relation = label(related.far_type), rel_type(related.relation)
        if related.direction is Direction.OUT:
            self.query = q.render(q.RELATED_SET_OUT, REL=relation, To=far, where=where)
        else:
            self.query = q.render(q.RELATED_SET_IN, REL=relation, From=far, where=where)
        self.params = params.values
        self._computed: tuple[object, list[str]] | None = None

    async def ids(self, tx: AsyncManagedTransaction) -> list[str]:
        """The set, computed once per transaction (a count and a page share it)."""
        if self._computed is None or self._computed[0] is not tx:
            with statement_span("neo4j", self.query):
                result = await tx.run(self.query, await resolved(tx, self.params))
                record = await result.single(strict=True)
            self._computed = (tx, list(record["ids"]))
        return self._computed[1]


async def resolved(tx: AsyncManagedTransaction, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` with every :class:`RelatedSet` replaced by its value (computed first)."""
    return {
        name: await value.ids(tx) if isinstance(value, RelatedSet) else value
        for name, value in params.items()
    }


def field_ref(variable: str, name: str) -> str:
    if name in _SYSTEM_FIELDS:
        return f"{variable}.{_SYSTEM_FIELDS[name]}"
    return f"{variable}.{prop(name)}"


def compile_filter(flt: Filter | None, variable: str, params: Params) -> str:
    """A condition on the node ``variable``."""
    return "true" if flt is None else _compile(flt, variable, params, 0)


def _compile(flt: Filter, variable: str, params: Params, level: int) -> str:
    if isinstance(flt, All):
        parts = (_compile(f, variable, params, level) for f in flt.filters)
        return "(" + " AND ".join(parts) + ")"
    if isinstance(flt, AnyOf):
        parts = (_compile(f, variable, params, level) for f in flt.filters)
        return "(" + " OR ".join(parts) + ")"
    if isinstance(flt, Not):
        return "(NOT " + _compile(flt.filter, variable, params, level) + ")"
    if isinstance(flt, Related):
        return _related(flt, variable, params, level)
    return _compare(flt, variable, params)


def _related(flt: Related, variable: str, params: Params, level: int) -> str:
    if level > 0:
        ids = params.add(RelatedSet(flt))
        member = f"elementId({variable}) IN {ids}"
        return f"({member})" if flt.quantifier is Quantifier.SOME else f"(NOT {member})"
    far = f"related{level + 1}"
    relationship = f"[:{rel_type(flt.relation)}]"
    arrow = f"-{relationship}->" if flt.direction is Direction.OUT else f"<-{relationship}-"
    match = f"MATCH ({variable}){arrow}({far}:{label(flt.far_type)})"
    if flt.filter is not None:
        match += " WHERE " + _compile(flt.filter, far, params, level + 1)
    exists = f"EXISTS {{ {match} }}"
    return f"({exists})" if flt.quantifier is Quantifier.SOME else f"(NOT {exists})"


def _compare(flt: Compare, variable: str, params: Params) -> str:
    ref = field_ref(variable, flt.field)
    if flt.op is Op.IS_NULL:
        return f"({ref} IS {'NULL' if flt.value else 'NOT NULL'})"
    if flt.op in _BINARY:
        return f"({ref} {_BINARY[flt.op]} {params.add(flt.value)})"
    if flt.op is Op.IN:
        return f"({ref} IN {params.add(list(flt.value))})"
    if flt.op is Op.CONTAINS:
        return f"({ref} CONTAINS {params.add(flt.value)})"
    if flt.op is Op.STARTS_WITH:
        return f"({ref} STARTS WITH {params.add(flt.value)})"
    raise AssertionError(flt.op)  # pragma: no cover


def compile_order(order: Sequence[OrderBy], variable: str) -> str:
    """Cypher sorts null last ascending and first descending, as the embedded store does."""
    return ", ".join(
        f"{field_ref(variable, item.field)} {'DESC' if item.descending else 'ASC'}"
        for item in order
    )


def neo4j_value(kind: PropertyKind, value: Any) -> Any:
    """A canonical value as stored in Neo4j (JSON values as text)."""
    if kind is PropertyKind.JSON and value is not None:
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value
