"""The core schema's queries: the registry, entities, pages and traversals."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from graph_crm.api.audit_log import AuditQuery
from graph_crm.api.context import Info, field
from graph_crm.api.definition_queries import DefinitionQuery
from graph_crm.api.impact import ImpactQuery
from graph_crm.api.impact_comparison import ImpactComparisonQuery
from graph_crm.api.input_types import OrderByInput, StepInput
from graph_crm.api.limits import check_first
from graph_crm.api.role_limits import traversal_depth
from graph_crm.api.type_counts import TypeCountsQuery
from graph_crm.api.types import (
    EntityConnection,
    EntityEdge,
    EntityNode,
    EntityTypeType,
    PageInfo,
    Path,
    RelationTypeType,
    Traversal,
)
from graph_crm.api.viewer import ViewerQuery
from graph_crm.model.graph import Entity
from graph_crm.model.query import check_order, entity_cursor
from graph_crm.model.registry import Registry


async def registry_knowing(info: Info, type_names: Iterable[str]) -> Registry:
    """The request's registry (read with its key: no round trip), or, if one of
    ``type_names`` was defined since the request began, the store's current one."""
    registry = info.context.registry
    if all(name in registry.entity_types for name in type_names):
        return registry
    return await info.context.store.registry()


def entity_nodes(registry: Registry, entities: list[Entity]) -> list[EntityNode]:
    return [EntityNode.from_model(e, registry.entity_type(e.type)) for e in entities]


@strawberry.type
class Query(
    ImpactQuery, ImpactComparisonQuery, AuditQuery, DefinitionQuery, ViewerQuery, TypeCountsQuery
):
    # The definitions below are the request's registry: the one its schema was built from,
    # read with its key (api/authentication.py), not read again.

    @field("The registry version; every definition change bumps it.")
    async def schema_version(self, info: Info) -> int:
        return info.context.registry.version

    @strawberry.field
    async def entity_types(self, info: Info) -> list[EntityTypeType]:
        registry = info.context.registry
        return [EntityTypeType.from_model(t) for _, t in sorted(registry.entity_types.items())]

    @strawberry.field
    async def entity_type(self, info: Info, name: str) -> EntityTypeType | None:
        registry = info.context.registry
        definition = registry.entity_types.get(name)
        return None if definition is None else EntityTypeType.from_model(definition)

    @strawberry.field
    async def relation_types(self, info: Info) -> list[RelationTypeType]:
        registry = info.context.registry
        return [RelationTypeType.from_model(t) for _, t in sorted(registry.relation_types.items())]

    @field('An entity by its global id, "<Type>:<key>".')
    async def entity(self, info: Info, id: strawberry.ID) -> EntityNode | None:
        store = info.context.store
        [found] = await store.get_entities([str(id)])
        if found is None:
            return None
        return entity_nodes(await registry_knowing(info, [found.type]), [found])[0]

    @field('One page of a type\'s entities; where as in {"name": {"startsWith": "上海"}}.')
    async def entities(
        self,
        info: Info,
        type: str,
        where: JSON | None = None,
        order_by: list[OrderByInput] | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> EntityConnection:
        store = info.context.store
        raw_order = [item.to_data() for item in order_by or []]
        page = await store.list_entities(
            type,
            where=where,
            order_by=raw_order,
            first=check_first(first, info.context.limits.page_size),
            after=after,
        )
        registry = await registry_knowing(info, [type])
        definition = registry.entity_type(type)
        order = check_order(definition, raw_order)
        edges = [
            EntityEdge(
                cursor=entity_cursor(type, order, entity),
                node=EntityNode.from_model(entity, definition),
            )
            for entity in page.items
        ]
        return EntityConnection(
            total_count=page.total_count,
            edges=edges,
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        )

    @field("Follow typed steps from start entities (global ids).")
    async def traverse(
        self,
        info: Info,
        from_: Annotated[list[strawberry.ID], strawberry.argument(name="from")],
        steps: list[StepInput],
        max_depth: int | None = None,
        limit: int = 1_000,
        paths_per_target: int = 3,
    ) -> Traversal:
        store = info.context.store
        result = await store.traverse(
            [str(gid) for gid in from_],
            [step.to_data() for step in steps],
            max_depth=traversal_depth(max_depth, info.context.limits),
            limit=limit,
            paths_per_target=paths_per_target,
        )
        registry = await registry_knowing(info, {entity.type for entity in result.reached})
        return Traversal(
            reached=entity_nodes(registry, result.reached),
            paths=[
                Path.from_model(entity.id, path)
                for entity in result.reached
                for path in result.paths.get(entity.id, [])
            ],
            truncated=result.truncated,
        )
