"""What the core mutations (and the typed writes) answer: a payload, or an :class:`Error`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph_crm.api.errors import Error
from graph_crm.api.types import EntityTypeType, RelationTypeType


@strawberry.type
class EntityTypePayload:
    schema_version: int
    entity_type: EntityTypeType


@strawberry.type
class RelationTypePayload:
    schema_version: int
    relation_type: RelationTypeType


@strawberry.type(description="How many rows of the batch created, changed or left alone.")
class WritePayload:
    created: int
    updated: int
    unchanged: int


@strawberry.type
class UnlinkPayload:
    removed: int = strawberry.field(description="How many of the relations existed.")


@strawberry.type
class DeletePayload:
    entities: int
    relations: int = strawberry.field(description="Relations removed with the entities.")


EntityTypeResult = Annotated[EntityTypePayload | Error, strawberry.union("EntityTypeResult")]
RelationTypeResult = Annotated[RelationTypePayload | Error, strawberry.union("RelationTypeResult")]
WriteResult = Annotated[WritePayload | Error, strawberry.union("WriteResult")]
UnlinkResult = Annotated[UnlinkPayload | Error, strawberry.union("UnlinkResult")]
DeleteResult = Annotated[DeletePayload | Error, strawberry.union("DeleteResult")]
