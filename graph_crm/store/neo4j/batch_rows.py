"""A write batch's rows as the Neo4j upsert and link statements take them: as columns.

The statement walks the rows by index (``UNWIND range(0, size($keys) - 1) AS i``) and
reads each field from its own list parameter (``$keys[i]``; property values from one
list per property, ``$v[0][i]``, in the definition's order). Columns, not a map per
row: a batch of 5,000 packs in less than half the time, and the driver formats every
RUN's parameters for its debug log (even with debug logging off) in a third.

The statement assigns the values one by one, each property named (registry-checked and
quoted by :mod:`.queries`). Naming them, unlike ``SET n += row.props``, tells the planner
that a batch never writes ``key``: the plan needs no Eager operator for it.

Temporals travel as text and become Neo4j temporals in the statement (``date(…)``,
``datetime(…)``): the driver packs a ``datetime`` in pure Python, about 36 µs each, while
text costs next to nothing; the stored value is the same (a DATE, and a ZONED DATETIME
in UTC, ``Z``), which tests/test_neo4j_batch_rows.py reads back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from graph_crm.model.types import EntityType, PropertyKind, RelationType
from graph_crm.model.values import datetime_to_text
from graph_crm.store.neo4j import queries as q
from graph_crm.store.neo4j.compile import neo4j_value

Definition = EntityType | RelationType
_Encode = Callable[[Any], Any]


#: How a value of each kind travels, when it is not the value itself.
_ENCODERS: dict[PropertyKind, _Encode] = {
    PropertyKind.DATETIME: datetime_to_text,
    PropertyKind.DATE: lambda value: value.isoformat(),
    PropertyKind.JSON: lambda value: neo4j_value(PropertyKind.JSON, value),
}
#: The Cypher function that turns that text back into the stored value.
_DECODERS = {PropertyKind.DATETIME: "datetime", PropertyKind.DATE: "date"}


def assignments(definition: Definition, variable: str) -> str:
    """``, n.`name` = $v[0][i], n.`since` = date($v[1][i]) …``: each defined property
    from its column of ``$v`` (a null removes it)."""
    return "".join(
        f", {variable}.{q.prop(spec.name)} = {_value(index, spec.kind)}"
        for index, spec in enumerate(definition.properties)
    )


def _value(index: int, kind: PropertyKind) -> str:
    """Row ``i``'s value of the ``index``-th property, as it is stored."""
    value = f"$v[{index}][i]"
    function = _DECODERS.get(kind)
    return value if function is None else f"{function}({value})"


def unchanged(definition: Definition, variable: str) -> str:
    """A Cypher condition true where ``variable`` already holds row ``i``'s values:
    each defined property equal to its column of ``$v`` (both null counts as equal),
    as :func:`assignments` would store it. ``true`` for a definition without properties.

    Relations on Neo4j keep no revision: comparing the values is what writing and
    reading a revision property cost the link (a 24-character string per relation,
    about a fifth of a batch's time on the server)."""
    parts = []
    for index, spec in enumerate(definition.properties):
        stored, value = f"{variable}.{q.prop(spec.name)}", _value(index, spec.kind)
        parts.append(f"coalesce({stored} = {value}, {stored} IS NULL AND {value} IS NULL)")
    return " AND ".join(parts) or "true"


def value_columns(definition: Definition, batch: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """The ``$v`` that :func:`assignments` reads: one list per defined property, a
    value for each row of ``batch`` (``None`` where it has none), each encoded to travel."""
    columns = []
    for spec in definition.properties:
        name, encode = spec.name, _ENCODERS.get(spec.kind)
        column = [properties.get(name) for properties in batch]
        if encode is not None:
            column = [value if value is None else encode(value) for value in column]
        columns.append(column)
    return columns
