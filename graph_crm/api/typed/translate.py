"""Typed GraphQL arguments to the model's plain-data filters and orders.

A typed ``where`` differs from the model's filter language only in spelling:
``AND``/``OR``/``NOT`` and relation fields named after their relation
(``hasSubsidiary: {some: …}`` is ``{"HAS_SUBSIDIARY": {"direction": "OUT", "some": …}}``).
Nulls mean "no condition", as GraphQL clients send them for unset inputs; so do an
empty ``where: {}`` and ``AND: []``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph_crm.model.graphql_names import relation_fields
from graph_crm.model.registry import Registry

_COMBINATORS = {"AND": "and", "OR": "or"}
QUANTIFIERS = ("some", "none")


def where_to_filter(registry: Registry, type_name: str, where: Mapping[str, Any]) -> dict[str, Any]:
    """The model filter a typed ``where`` of ``type_name`` means (``{}``: no condition).

    >>> from graph_crm.model.types import EntityType, RelationType
    >>> registry = Registry.from_definitions(
    ...     1, [EntityType(name="Customer"), EntityType(name="Subsidiary")],
    ...     [RelationType(name="HAS_SUBSIDIARY", from_type="Customer", to_type="Subsidiary")])
    >>> where_to_filter(registry, "Subsidiary", {
    ...     "key": {"startsWith": "S", "eq": None},
    ...     "hasSubsidiaryInverse": {"none": {"NOT": {"key": {"eq": "ACME"}}}}})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'and': [{'key': {'startsWith': 'S'}},
             {'HAS_SUBSIDIARY': {'direction': 'IN', 'none': {'not': {'key': {'eq': 'ACME'}}}}}]}
    """
    relations = relation_fields(registry, type_name)
    parts: list[dict[str, Any]] = []
    for name, value in where.items():
        if value is None or (name == "AND" and not value):
            continue  # an empty AND holds, like an empty where
        if name in _COMBINATORS:
            branches = [where_to_filter(registry, type_name, item) for item in value]
            parts.append({_COMBINATORS[name]: branches})
        elif name == "NOT":
            parts.append({"not": where_to_filter(registry, type_name, value)})
        elif name in relations:
            field = relations[name]
            for quantifier in QUANTIFIERS:
                if value.get(quantifier) is not None:
                    inner = where_to_filter(registry, field.far_type, value[quantifier])
                    condition = {"direction": field.direction, quantifier: inner}
                    parts.append({field.relation: condition})
        else:
            comparisons = {op: arg for op, arg in value.items() if arg is not None}
            if comparisons:
                parts.append({name: comparisons})
    if len(parts) == 1:
        return parts[0]
    return {"and": parts} if parts else {}


def where_argument(registry: Registry, type_name: str, where: Mapping[str, Any] | None) -> Any:
    """A list field's ``where`` argument for the store: ``None`` when it asks nothing."""
    return (where_to_filter(registry, type_name, where) if where is not None else None) or None


def order_to_data(order_by: list[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """``[{field, direction}]`` as the stores take it.

    ``direction`` is the core schema's ``SortDirection``: a Python enum when given, its
    name when defaulted.
    """
    return [
        {
            "field": item["field"],
            "direction": getattr(item["direction"], "value", item["direction"]),
        }
        for item in order_by or []
    ]
