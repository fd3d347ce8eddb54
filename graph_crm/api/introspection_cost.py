"""How many items each list of the introspection types holds in a given schema.

``__schema { types { fields { ... } } }`` answers one item per type, and for each type
its fields: the cost estimate walks introspection selections like any other, with these
sizes as the lists' fan-outs. Nested lists take the average per parent (ceiled), so
``types { fields }`` costs about the schema's fields in all, as the answer holds. A
type reference's ``ofType`` chain is as long as its wrappers (``[Foo!]!`` has three):
the ``ofType`` at nesting level k is there for the share of references with k or more.

>>> from graphql import build_schema
>>> schema = build_schema("type Query { a(x: Int, y: [Int!]!): Int!  b: Int }")
>>> sizes = introspection_sizes(schema)
>>> sizes[("__Schema", "types")] == len(schema.type_map)
True
>>> sizes[("__Field", "args")]  # args per field (ceiled), introspection types' included
1
>>> wrapped = wrapped_share(schema)
>>> wrapped[0], 0 < wrapped[3] < wrapped[1] < 1, wrapped[4]
(1.0, True, 0.0)
"""

from __future__ import annotations

import math
from typing import Any, Final
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)

Sizes = dict[tuple[str, str], int]
_SIZES: Final[WeakKeyDictionary[GraphQLSchema, Sizes]] = WeakKeyDictionary()
_WRAPPED: Final[WeakKeyDictionary[GraphQLSchema, list[float]]] = WeakKeyDictionary()


def introspection_sizes(schema: GraphQLSchema) -> Sizes:
    """(introspection type, list field) -> items per parent, for ``schema`` (cached)."""
    sizes = _SIZES.get(schema)
    if sizes is None:
        sizes = _measure(schema)
        _SIZES[schema] = sizes
    return sizes


def _measure(schema: GraphQLSchema) -> Sizes:
    types = list(schema.type_map.values())
    fields = interfaces = possible = enum_values = input_fields = field_args = 0
    for named in types:
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            fields += len(named.fields)
            interfaces += len(named.interfaces)
            field_args += sum(len(field.args) for field in named.fields.values())
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            possible += len(schema.get_possible_types(named))
        if isinstance(named, GraphQLEnumType):
            enum_values += len(named.values)
        if isinstance(named, GraphQLInputObjectType):
            input_fields += len(named.fields)
    directives = list(schema.directives)
    directive_args = sum(len(directive.args) for directive in directives)

    def per(total: int, parents: int) -> int:
        return math.ceil(total / parents) if parents else 0

    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(directives),
        ("__Type", "fields"): per(fields, len(types)),
        ("__Type", "interfaces"): per(interfaces, len(types)),
        ("__Type", "possibleTypes"): per(possible, len(types)),
        ("__Type", "enumValues"): per(enum_values, len(types)),
        ("__Type", "inputFields"): per(input_fields, len(types)),
        ("__Field", "args"): per(field_args, fields),
        ("__Directive", "args"): per(directive_args, len(directives)),
    }


def wrapped_share(schema: GraphQLSchema) -> list[float]:
    """``[k]``: the share of the schema's type references (fields, arguments, input
    fields) wrapped k or more times (List / NonNull); 0 past the deepest (cached)."""
    shares = _WRAPPED.get(schema)
    if shares is None:
        depths = [_wrappers(reference) for reference in _references(schema)]
        deepest = max(depths, default=0)
        shares = [
            sum(depth >= k for depth in depths) / len(depths) if depths else 0.0
            for k in range(deepest + 2)
        ]
        _WRAPPED[schema] = shares
    return shares


def _references(schema: GraphQLSchema) -> list[Any]:
    found: list[Any] = []
    for named in schema.type_map.values():
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field in named.fields.values():
                found.append(field.type)
                found.extend(argument.type for argument in field.args.values())
        if isinstance(named, GraphQLInputObjectType):
            found.extend(field.type for field in named.fields.values())
    for directive in schema.directives:
        found.extend(argument.type for argument in directive.args.values())
    return found


def _wrappers(reference: Any) -> int:
    depth = 0
    while isinstance(reference, GraphQLList | GraphQLNonNull):
        reference = reference.of_type
        depth += 1
    return depth
