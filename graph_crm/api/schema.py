"""The core schema: static, so its SDL is committed as ``schema.graphql``."""

from __future__ import annotations

from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from graph_crm.api.cost import MAX_COST, QueryCostLimiter
from graph_crm.api.errors import ErrorShaping, log_unexpected
from graph_crm.api.incidents_api import IncidentsMutation, IncidentsQuery
from graph_crm.api.keys_api import KeysMutation, KeysQuery
from graph_crm.api.mutations import Mutation
from graph_crm.api.operation import RunChosenOperation
from graph_crm.api.queries import Query
from graph_crm.api.scalars import SCALAR_MAP

#: Distinct query texts whose parse and validation are remembered (clients send few).
PARSED_QUERIES_CACHED = 256


@strawberry.type(name="Query")
class CoreQuery(Query, KeysQuery, IncidentsQuery):
    """Every root query field of the core schema."""


@strawberry.type(name="Mutation")
class CoreMutation(Mutation, KeysMutation, IncidentsMutation):
    """Every root mutation field of the core schema."""


class CoreSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors are answers, not incidents: log only the unexpected ones.
        log_unexpected(errors)


def build_core_schema(**options: Any) -> CoreSchema:
    return CoreSchema(
        query=CoreQuery,
        mutation=CoreMutation,
        # The document comes from the one place that chooses the operation (parsed,
        # measured and cached there); validation results are cached per schema object
        # and document, so each registry version's schema validates afresh. Strawberry
        # makes one extension per request from each factory.
        extensions=[
            RunChosenOperation,
            lambda: QueryCostLimiter(max_cost=MAX_COST),
            lambda: ValidationCache(maxsize=PARSED_QUERIES_CACHED),
            ErrorShaping,
        ],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        **options,
    )


@cache
def core_schema() -> CoreSchema:
    return build_core_schema()


def core_sdl() -> str:
    """The SDL ``graph-crm export-schema`` prints, ending in a newline."""
    return sdl(core_schema())


def sdl(schema: strawberry.Schema) -> str:
    """``schema`` as SDL (types in name order), ending in a newline."""
    return schema.as_str().rstrip("\n") + "\n"
