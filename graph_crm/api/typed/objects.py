"""Typed object types: one per entity type, its relation fields, edges and pages.

Relation fields resolve through the request's DataLoaders, so a list of 100
customers with their subsidiaries costs one store call per relation field, not 100.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
)

from graph_crm.api.limits import check_first
from graph_crm.api.typed.argument_types import (
    RELATION_DEFAULT_FIRST,
    list_arguments,
    scalar_type,
    value_type,
)
from graph_crm.api.typed.cache import TypeCache
from graph_crm.api.typed.translate import order_to_data, where_argument
from graph_crm.model.graph import Entity, Neighbor, Relation
from graph_crm.model.graphql_names import EntityNames, RelationField, relation_fields
from graph_crm.model.types import PropertyKind, PropertySpec, _TypeDefinition

if TYPE_CHECKING:
    from graph_crm.api.context import ApiContext


def _property(name: str) -> Callable[[Any, GraphQLResolveInfo[ApiContext]], Any]:
    def resolve(source: Entity | Neighbor, info: GraphQLResolveInfo[ApiContext]) -> Any:
        return _holder(source).properties.get(name)

    return resolve


def _timestamps(cache: TypeCache) -> dict[str, GraphQLField]:
    when = GraphQLNonNull(scalar_type(cache, PropertyKind.DATETIME))
    return {
        "createdAt": GraphQLField(when, resolve=lambda source, info: _holder(source).created_at),
        "updatedAt": GraphQLField(when, resolve=lambda source, info: _holder(source).updated_at),
    }


def _holder(source: Entity | Neighbor) -> Entity | Relation:
    """Whose properties a field shows: an entity's own, or an edge's relation's."""
    return source.relation if isinstance(source, Neighbor) else source


def entity_object(cache: TypeCache, name: str) -> GraphQLObjectType:
    entity_type = cache.registry.entity_type(name)

    def fields() -> dict[str, GraphQLField]:
        out = {
            "id": GraphQLField(
                GraphQLNonNull(GraphQLID),
                description='The global id, "<Type>:<key>".',
                resolve=lambda entity, info: entity.id,
            ),
            "key": GraphQLField(GraphQLNonNull(GraphQLString), resolve=lambda e, info: e.key),
            **_timestamps(cache),
        }
        for spec in entity_type.properties:
            out[spec.name] = GraphQLField(
                _output_kind(cache, entity_type, spec),
                description=_described(spec),
                resolve=_property(spec.name),
            )
        for field_name, field in relation_fields(cache.registry, name).items():
            out[field_name] = _relation_list(cache, field, edges=False)
            out[field.end.edges_field] = _relation_list(cache, field, edges=True)
        return out

    return cache.get(
        name,
        lambda: GraphQLObjectType(name, fields, description=entity_type.description or None),
    )


def _output_kind(
    cache: TypeCache, definition: _TypeDefinition, spec: PropertySpec
) -> GraphQLOutputType:
    kind: Any = value_type(cache, definition, spec)
    return GraphQLNonNull(kind) if spec.required else kind


def _relation_list(cache: TypeCache, field: RelationField, *, edges: bool) -> GraphQLField:
    far = cache.registry.entity_type(field.far_type)
    item: GraphQLOutputType = (
        relation_edge(cache, field) if edges else entity_object(cache, far.name)
    )
    registry = cache.registry

    async def resolve(
        entity: Entity,
        info: GraphQLResolveInfo[ApiContext],
        first: int,
        where: dict[str, Any] | None = None,
        orderBy: list[Mapping[str, Any]] | None = None,  # noqa: N803 - the GraphQL argument name
    ) -> list[Any]:
        if check_first(first, info.context.limits.page_size) == 0:
            return []
        loader = info.context.loaders.neighbors(
            field.relation,
            field.direction,
            where_argument(registry, far.name, where),
            order_to_data(orderBy),
            first,
        )
        neighbors: list[Neighbor] = await loader.load(entity.id)
        return neighbors if edges else [neighbor.entity for neighbor in neighbors]

    relation = registry.relation_type(field.relation)
    way = "to" if field.direction == "OUT" else "from"
    return GraphQLField(
        GraphQLNonNull(GraphQLList(GraphQLNonNull(item))),
        args=list_arguments(cache, far, RELATION_DEFAULT_FIRST),
        description=(
            f"{far.name} entities this one is linked {way} by {relation.name}"
            + (", with the relation's properties." if edges else ".")
        ),
        resolve=resolve,
    )


def relation_edge(cache: TypeCache, field: RelationField) -> GraphQLObjectType:
    relation = cache.registry.relation_type(field.relation)
    name = field.end.edge_type

    def fields() -> dict[str, GraphQLField]:
        out = {
            "node": GraphQLField(
                GraphQLNonNull(entity_object(cache, field.far_type)),
                resolve=lambda neighbor, info: neighbor.entity,
            ),
            **_timestamps(cache),
        }
        for spec in relation.properties:
            out[spec.name] = GraphQLField(
                _output_kind(cache, relation, spec),
                description=spec.description or None,
                resolve=_property(spec.name),
            )
        return out

    return cache.get(
        name,
        lambda: GraphQLObjectType(
            name, fields, description=f"A {relation.name} relation and the entity at its other end."
        ),
    )


def connection(cache: TypeCache, name: str) -> GraphQLObjectType:
    names = EntityNames.of(cache.registry.entity_type(name))
    edge = cache.get(
        names.edge,
        lambda: GraphQLObjectType(
            names.edge,
            lambda: {
                "cursor": GraphQLField(GraphQLNonNull(GraphQLString)),
                "node": GraphQLField(GraphQLNonNull(entity_object(cache, name))),
            },
        ),
    )
    page_info = cache.core_type("PageInfo")
    assert isinstance(page_info, GraphQLObjectType)
    return cache.get(
        names.connection,
        lambda: GraphQLObjectType(
            names.connection,
            {
                "totalCount": GraphQLField(
                    GraphQLNonNull(GraphQLInt), description="Entities matching the filter."
                ),
                "edges": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(edge)))),
                "pageInfo": GraphQLField(GraphQLNonNull(page_info)),
            },
        ),
    )


def _described(spec: PropertySpec) -> str | None:
    """A property's description; a computed one says so, and how (read-only)."""
    if spec.computed is None:
        return spec.description or None
    how = spec.computed if isinstance(spec.computed, str) else "a rollup"
    computed = f"Computed by the store (read-only): {how[:500]}"
    return f"{spec.description}\n\n{computed}" if spec.description else computed
