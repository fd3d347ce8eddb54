"""``typeCounts``: how many entities each entity type holds, and relations each relation
type (the console's Schema page). A read: any role that reads may ask; the store counts
under the request's time budget."""

from __future__ import annotations

import strawberry

from graph_crm.api.context import Info, field


@strawberry.type(name="TypeCount", description="A type's name and how many it holds.")
class TypeCountNode:
    name: str
    count: int


@strawberry.type(
    name="TypeCounts",
    description="Entities per entity type, relations per relation type, each by name; "
    "a type that holds none counts 0.",
)
class TypeCountsNode:
    entities: list[TypeCountNode]
    relations: list[TypeCountNode]


@strawberry.type
class TypeCountsQuery:
    @field("Entities per entity type and relations per relation type.")
    async def type_counts(self, info: Info) -> TypeCountsNode:
        counts = await info.context.store.counts()
        return TypeCountsNode(
            entities=[TypeCountNode(name=n, count=c) for n, c in sorted(counts.entities.items())],
            relations=[TypeCountNode(name=n, count=c) for n, c in sorted(counts.relations.items())],
        )
