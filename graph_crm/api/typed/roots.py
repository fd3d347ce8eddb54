"""Typed root fields: lookup by key, pages, upserts and deletes per entity type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLResolveInfo,
    GraphQLString,
)

from graph_crm.api.errors import as_result
from graph_crm.api.limits import check_first
from graph_crm.api.payloads import DeletePayload, WritePayload
from graph_crm.api.typed.argument_types import list_arguments, record_input
from graph_crm.api.typed.cache import TypeCache
from graph_crm.api.typed.objects import connection, entity_object
from graph_crm.api.typed.translate import order_to_data, where_argument
from graph_crm.api.types import PageInfo
from graph_crm.model.entity_keys import lookup_key
from graph_crm.model.graph import Entity
from graph_crm.model.graphql_names import EntityNames
from graph_crm.model.query import check_order, entity_cursor
from graph_crm.model.records import global_id
from graph_crm.model.types import EntityType

#: Page size of a typed list when the client does not say.
DEFAULT_PAGE = 50

if TYPE_CHECKING:
    from graph_crm.api.context import ApiContext


def query_fields(cache: TypeCache) -> dict[str, GraphQLField]:
    fields: dict[str, GraphQLField] = {}
    for name in sorted(cache.registry.entity_types):
        entity_type = cache.registry.entity_types[name]
        names = EntityNames.of(entity_type)
        fields[names.lookup] = _lookup(cache, entity_type)
        fields[names.list] = _page(cache, entity_type)
    return fields


def mutation_fields(cache: TypeCache) -> dict[str, GraphQLField]:
    fields: dict[str, GraphQLField] = {}
    for name in sorted(cache.registry.entity_types):
        entity_type = cache.registry.entity_types[name]
        names = EntityNames.of(entity_type)
        fields[names.upsert] = _upsert(cache, entity_type)
        fields[names.delete] = _delete(cache, entity_type)
    return fields


def _lookup(cache: TypeCache, entity_type: EntityType) -> GraphQLField:
    name = entity_type.name

    async def resolve(root: Any, info: GraphQLResolveInfo[ApiContext], key: str) -> Entity | None:
        gid = global_id(name, lookup_key(key, ("key",)))
        found: Entity | None = await info.context.loaders.entities.load(gid)
        return found

    return GraphQLField(
        entity_object(cache, name),
        args={"key": GraphQLArgument(GraphQLNonNull(GraphQLString))},
        description=f"The {name} with this key, or null.",
        resolve=resolve,
    )


def _page(cache: TypeCache, entity_type: EntityType) -> GraphQLField:
    name = entity_type.name
    registry = cache.registry

    async def resolve(
        root: Any,
        info: GraphQLResolveInfo[ApiContext],
        first: int,
        where: dict[str, Any] | None = None,
        orderBy: list[Mapping[str, Any]] | None = None,  # noqa: N803 - the GraphQL argument name
        after: str | None = None,
    ) -> dict[str, Any]:
        order_data = order_to_data(orderBy)
        page = await info.context.store.list_entities(
            name,
            where=where_argument(registry, name, where),
            order_by=order_data,
            first=check_first(first, info.context.limits.page_size),
            after=after,
        )
        order = check_order(entity_type, order_data)
        return {
            "totalCount": page.total_count,
            "edges": [
                {"cursor": entity_cursor(name, order, entity), "node": entity}
                for entity in page.items
            ],
            "pageInfo": PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        }

    return GraphQLField(
        GraphQLNonNull(connection(cache, name)),
        args={
            **list_arguments(cache, entity_type, DEFAULT_PAGE),
            "after": GraphQLArgument(GraphQLString, description="endCursor of the page before."),
        },
        description=f"A page of {name} entities.",
        resolve=resolve,
    )


def _result_type(cache: TypeCache, name: str) -> GraphQLNonNull[Any]:
    return GraphQLNonNull(cache.core_type(name))


def _upsert(cache: TypeCache, entity_type: EntityType) -> GraphQLField:
    name = entity_type.name

    async def resolve(
        root: Any, info: GraphQLResolveInfo[ApiContext], records: list[dict[str, Any]]
    ) -> object:
        async def run() -> WritePayload:
            result = await info.context.store.upsert_entities(
                name, records, actor=info.context.actor
            )
            return WritePayload(
                created=result.created, updated=result.updated, unchanged=result.unchanged
            )

        return await as_result(run)

    return GraphQLField(
        _result_type(cache, "WriteResult"),
        args={
            "records": GraphQLArgument(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(record_input(cache, entity_type))))
            )
        },
        description=f"Create or replace {name} entities by key; one bad row and none is written.",
        resolve=resolve,
    )


def _delete(cache: TypeCache, entity_type: EntityType) -> GraphQLField:
    name = entity_type.name

    async def resolve(root: Any, info: GraphQLResolveInfo[ApiContext], keys: list[str]) -> object:
        async def run() -> DeletePayload:
            for index, key in enumerate(keys):
                lookup_key(key, ("keys", index))  # refused with this argument's path
            # as given: the store also removes an entity stored in another spelling
            ids = [global_id(name, key) for key in keys]
            result = await info.context.store.delete_entities(ids, actor=info.context.actor)
            return DeletePayload(entities=result.entities, relations=result.relations)

        return await as_result(run)

    return GraphQLField(
        _result_type(cache, "DeleteResult"),
        args={"keys": GraphQLArgument(GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLString))))},
        description=f"Delete {name} entities by key, with their relations.",
        resolve=resolve,
    )
