"""Typed input types: filters (``<Type>Where``), orders and upsert records per entity type."""

from __future__ import annotations

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLString,
)

from graph_crm.api.limits import MAX_FIRST
from graph_crm.api.typed.cache import TypeCache
from graph_crm.api.typed.scalars import DATE, LONG
from graph_crm.model.graphql_names import SCALAR_OF_KIND, EntityNames, enum_names, relation_fields
from graph_crm.model.query import OPS_FOR_KIND, Op
from graph_crm.model.query import SYSTEM_FIELDS as SYSTEM_SPECS
from graph_crm.model.types import EntityType, PropertyKind, PropertySpec, _TypeDefinition

#: Relation fields list this many neighbours unless asked otherwise.
RELATION_DEFAULT_FIRST = 50

#: Scalars not taken from the core schema (which only holds the scalars it uses).
_OWN_SCALARS = {
    "Long": LONG,
    "Date": DATE,
    "String": GraphQLString,
    "Float": GraphQLFloat,
    "Boolean": GraphQLBoolean,
}
_OP_DESCRIPTIONS = {
    Op.IN: "Any of these values.",
    Op.IS_NULL: "true: the property is missing; false: it is set.",
    Op.CONTAINS: "Substring match, case-sensitive.",
}


def scalar_type(cache: TypeCache, kind: PropertyKind) -> GraphQLScalarType:
    name = SCALAR_OF_KIND[kind]
    if name in _OWN_SCALARS:
        return _OWN_SCALARS[name]
    found = cache.core_type(name)
    assert isinstance(found, GraphQLScalarType)
    return found


def enum_type(cache: TypeCache, definition: _TypeDefinition, spec: PropertySpec) -> GraphQLEnumType:
    name = enum_names(definition)[spec.name]
    return cache.get(
        name,
        lambda: GraphQLEnumType(
            name,
            {value: GraphQLEnumValue(value) for value in spec.values},
            description=f"The values of {definition.name}.{spec.name}.",
        ),
    )


def value_type(
    cache: TypeCache, definition: _TypeDefinition, spec: PropertySpec
) -> GraphQLScalarType | GraphQLEnumType:
    if spec.kind is PropertyKind.ENUM:
        return enum_type(cache, definition, spec)
    return scalar_type(cache, spec.kind)


def _filter(name: str, value: GraphQLInputType, ops: frozenset[Op]) -> GraphQLInputObjectType:
    fields: dict[str, GraphQLInputField] = {}
    for op in Op:  # declaration order, so every filter lists its operators alike
        if op not in ops:
            continue
        if op is Op.IN:
            op_type: GraphQLInputType = GraphQLList(GraphQLNonNull(value))
        elif op is Op.IS_NULL:
            op_type = GraphQLBoolean
        elif op in (Op.CONTAINS, Op.STARTS_WITH):
            op_type = GraphQLString
        else:
            op_type = value
        fields[op.value] = GraphQLInputField(op_type, description=_OP_DESCRIPTIONS.get(op))
    return GraphQLInputObjectType(name, fields)


def property_filter(
    cache: TypeCache, entity_type: EntityType, spec: PropertySpec
) -> GraphQLInputObjectType:
    ops = OPS_FOR_KIND[spec.kind]
    if spec.kind is PropertyKind.ENUM:
        name = EntityNames.of(entity_type).enums[spec.name] + "Filter"
        enum = enum_type(cache, entity_type, spec)
        return cache.get(name, lambda: _filter(name, enum, ops))
    name = SCALAR_OF_KIND[spec.kind] + "Filter"
    return cache.get(name, lambda: _filter(name, scalar_type(cache, spec.kind), ops))


def where_input(cache: TypeCache, entity_type: EntityType) -> GraphQLInputObjectType:
    names = EntityNames.of(entity_type)

    def fields() -> dict[str, GraphQLInputField]:
        out = {
            name: GraphQLInputField(property_filter(cache, entity_type, spec))
            for name, spec in SYSTEM_SPECS.items()
        }
        for spec in entity_type.properties:
            out[spec.name] = GraphQLInputField(
                property_filter(cache, entity_type, spec), description=spec.description or None
            )
        for field_name, field in relation_fields(cache.registry, entity_type.name).items():
            far = cache.registry.entity_type(field.far_type)
            out[field_name] = GraphQLInputField(
                relation_filter(cache, far),
                description=f"Linked to some / no {field.far_type} by {field.relation}.",
            )
        where = where_input(cache, entity_type)
        out["AND"] = GraphQLInputField(
            GraphQLList(GraphQLNonNull(where)), description="All of these."
        )
        out["OR"] = GraphQLInputField(
            GraphQLList(GraphQLNonNull(where)), description="Any of these."
        )
        out["NOT"] = GraphQLInputField(where, description="Not this.")
        return out

    return cache.get(
        names.where,
        lambda: GraphQLInputObjectType(
            names.where,
            fields,
            description=f"Conditions on {entity_type.name} entities; all must hold.",
        ),
    )


def relation_filter(cache: TypeCache, entity_type: EntityType) -> GraphQLInputObjectType:
    name = EntityNames.of(entity_type).relation_filter
    return cache.get(
        name,
        lambda: GraphQLInputObjectType(
            name,
            lambda: {
                "some": GraphQLInputField(
                    where_input(cache, entity_type),
                    description=f"At least one related {entity_type.name} matches ({{}}: any).",
                ),
                "none": GraphQLInputField(
                    where_input(cache, entity_type),
                    description=f"No related {entity_type.name} matches ({{}}: none at all).",
                ),
            },
        ),
    )


def order_by_input(cache: TypeCache, entity_type: EntityType) -> GraphQLInputObjectType:
    names = EntityNames.of(entity_type)
    orderable = ["key", "createdAt", "updatedAt"] + [
        spec.name for spec in entity_type.properties if spec.kind is not PropertyKind.JSON
    ]
    field_enum = cache.get(
        names.order_field,
        lambda: GraphQLEnumType(names.order_field, {f: GraphQLEnumValue(f) for f in orderable}),
    )
    direction = cache.core_type("SortDirection")
    assert isinstance(direction, GraphQLEnumType)
    return cache.get(
        names.order_by,
        lambda: GraphQLInputObjectType(
            names.order_by,
            {
                "field": GraphQLInputField(GraphQLNonNull(field_enum)),
                "direction": GraphQLInputField(direction, default_value="ASC"),
            },
            description="Sort by one field; the key always breaks ties.",
        ),
    )


def record_input(cache: TypeCache, entity_type: EntityType) -> GraphQLInputObjectType:
    names = EntityNames.of(entity_type)

    def fields() -> dict[str, GraphQLInputField]:
        out = {"key": GraphQLInputField(GraphQLNonNull(GraphQLString))}
        for spec in entity_type.properties:
            if spec.computed is not None:
                continue  # read-only: the store computes it
            kind = value_type(cache, entity_type, spec)
            needed = spec.required and spec.default is None
            out[spec.name] = GraphQLInputField(
                GraphQLNonNull(kind) if needed else kind, description=spec.description or None
            )
        return out

    return cache.get(
        names.input,
        lambda: GraphQLInputObjectType(
            names.input, fields, description=f"A whole {entity_type.name}: upserts replace it."
        ),
    )


def list_arguments(
    cache: TypeCache, entity_type: EntityType, first: int
) -> dict[str, GraphQLArgument]:
    """``where``, ``orderBy`` and ``first`` of every list of ``entity_type``."""
    return {
        "where": GraphQLArgument(where_input(cache, entity_type)),
        "orderBy": GraphQLArgument(GraphQLList(GraphQLNonNull(order_by_input(cache, entity_type)))),
        "first": GraphQLArgument(
            GraphQLInt, default_value=first, description=f"At most {MAX_FIRST}."
        ),
    }
