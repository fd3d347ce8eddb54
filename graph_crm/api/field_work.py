"""The relations a field's resolver will expand, for the cost estimate (api/cost.py).

Read from the field's arguments, as its resolver reads them: a traversal is a field
with ``from`` and ``steps``; a neighbour page one with ``relation`` and ``direction``
(``Entity.neighbors``); a relation filter is a list field's ``where`` (model filter
data when it is JSON, as on ``entities``; a typed input on the generated fields, whose
entity type is the list's, or the ``type`` argument's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import GraphQLField, GraphQLInputObjectType, GraphQLObjectType, get_named_type

from graph_crm.api.typed.translate import where_argument
from graph_crm.api.work_price import WorkPrices
from graph_crm.model.registry import Registry


def field_work(prices: WorkPrices, definition: GraphQLField, arguments: Mapping[str, Any]) -> int:
    """Relations the field may expand given its (coerced) ``arguments``; 0 for others."""
    args = definition.args
    if "from" in args and "steps" in args:
        steps = [_plain(step) for step in arguments.get("steps") or ()]
        max_depth = arguments.get("maxDepth")
        return prices.traverse(
            list(arguments.get("from") or ()),
            steps,
            max_depth=max_depth if max_depth is not None else prices.max_depth,
            limit=arguments.get("limit", 1_000),
            paths_per_target=arguments.get("pathsPerTarget", 3),
        )
    if "relation" in args and "direction" in args:  # Entity.neighbors
        return prices.neighbors(arguments.get("relation"), arguments.get("direction"))
    where = arguments.get("where")
    if "where" not in args or where is None:
        return 0
    entity_type = arguments.get("type") if "type" in args else _listed_type(definition, prices)
    if not isinstance(entity_type, str) or entity_type not in prices.registry.entity_types:
        return 0
    if isinstance(get_named_type(args["where"].type), GraphQLInputObjectType):
        where = where_argument(prices.registry, entity_type, where)
    return prices.where(entity_type, where)


def _plain(step: Any) -> Any:
    """A step as the model reads it (an enum argument arrives as a Python enum)."""
    if not isinstance(step, Mapping):
        return step
    return {name: getattr(value, "value", value) for name, value in step.items()}


def _listed_type(definition: GraphQLField, prices: WorkPrices) -> str | None:
    """The entity type a list field holds: its items', or its edges' nodes'."""
    return _entity_type(get_named_type(definition.type), prices.registry, hops=3)


def _entity_type(named: Any, registry: Registry, hops: int) -> str | None:
    if not isinstance(named, GraphQLObjectType) or hops == 0:
        return None
    if named.name in registry.entity_types:
        return str(named.name)
    for field in ("node", "edges"):
        if field in named.fields:
            return _entity_type(get_named_type(named.fields[field].type), registry, hops - 1)
    return None
