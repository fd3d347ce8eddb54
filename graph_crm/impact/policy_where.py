"""A policy's ``where``: the filter language of ``entities``, or a BOOLEAN formula (pure).

Both may use the report's ``$asOf`` and ``$delayDays``: the filter language as a
comparison's value (``{"orderDate": {"lte": "$asOf"}}``), a formula anywhere in it
(``orderDate <= $asOf AND (shippedDate IS NULL OR shippedDate > $asOf)``). A formula is
parsed and type-checked here (errors at the ``where``'s path, with the character), and
may not use ``now()``: a report is computed as of its ``asOf``, never of the clock.
"""

from __future__ import annotations

from typing import Any

from graph_crm.errors import PathPart
from graph_crm.model.formula import Formula, FormulaProblem, compile_formula, property_kinds
from graph_crm.model.formula.nodes import Call, walk
from graph_crm.model.query import Filter, check_filter
from graph_crm.model.registry import Registry
from graph_crm.model.types import EntityType, PropertyKind


def resolve_where(
    registry: Registry, definition: EntityType, raw: Any, at: tuple[PathPart, ...]
) -> tuple[Filter | None, Formula | None]:
    """``raw`` (a filter object, a formula's text or None) checked against ``definition``.

    >>> from graph_crm.model.types import parse_entity_type
    >>> order = parse_entity_type({"name": "Order", "properties": [
    ...     {"name": "orderDate", "kind": "DATE"}, {"name": "shippedDate", "kind": "DATE"}]})
    >>> _, open_as_of = resolve_where(Registry(), order,
    ...     "orderDate <= $asOf AND (shippedDate IS NULL OR shippedDate > $asOf)", ())
    >>> sorted(open_as_of.parameters)
    ['asOf']
    >>> resolve_where(Registry(), order, "orderDate + 1", ("steps", 0))
    Traceback (most recent call last):
    ...
    graph_crm.model.formula.problems.FormulaProblem: INVALID_INPUT: `orderDate` is DATE; \
`+` needs numbers: count days with days_between(a, b), move a date with add_days(d, n) \
(character 1) (at steps/0/where)
    """
    here = (*at, "where")
    if not isinstance(raw, str):
        return check_filter(definition, raw, here, registry=registry, parameters=True), None
    formula = compile_formula(raw, property_kinds(definition), definition.name, here)
    for node in walk(formula.tree):
        if isinstance(node, Call) and node.name == "now":
            raise FormulaProblem(
                "a policy's condition cannot read the clock: use $asOf, the report's as-of time",
                path=here,
                position=node.position,
            )
    if formula.kind is not PropertyKind.BOOLEAN:
        raise FormulaProblem(
            f"a where formula is a condition, a BOOLEAN; this one gives {formula.kind}",
            path=here,
            position=formula.tree.position,
        )
    return None, formula
