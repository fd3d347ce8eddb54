"""A write batch's rows as the Neo4j upsert and link statements take them.

Each row carries its property values as a list in the definition's order (``row.v``),
and the statement assigns them one by one, each property named (registry-checked and
quoted by :mod:`.queries`). Naming them, unlike ``SET n += row.props``, tells the planner
that a batch never writes ``key``: the plan needs no Eager operator for it.

Temporals travel as text and become Neo4j temporals in the statement (``date(…)``,
``datetime(…)``): the driver packs a ``datetime`` in pure Python, about 36 µs each, while
text costs next to nothing; the stored value is the same (a DATE, and a ZONED DATETIME
in UTC, ``Z``), which tests/test_neo4j_batch_rows.py reads back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
    """``, n.`name` = row.v[0], n.`since` = date(row.v[1]) …``: each defined property from
    its place in ``row.v`` (a null removes it)."""
    parts = []
    for index, spec in enumerate(definition.properties):
        value = f"row.v[{index}]"
        if (function := _DECODERS.get(spec.kind)) is not None:
            value = f"{function}({value})"
        parts.append(f", {variable}.{q.prop(spec.name)} = {value}")
    return "".join(parts)


def value_lists(definition: Definition, batch: Iterable[Mapping[str, Any]]) -> list[list[Any]]:
    """Each row's checked properties as the list :func:`assignments` reads (``None`` for
    an absent one), the definition read once."""
    specs = [(spec.name, _ENCODERS.get(spec.kind)) for spec in definition.properties]
    lists = []
    for properties in batch:
        values = []
        for name, encode in specs:
            value = properties.get(name)
            values.append(value if encode is None or value is None else encode(value))
        lists.append(values)
    return lists
