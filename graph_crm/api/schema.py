"""The core schema: static, so its SDL is committed as ``schema.graphql``."""

from __future__ import annotations

from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from graph_crm.api.cost import MAX_COST, QueryCostLimiter
from graph_crm.api.errors import ErrorShaping, log_unexpected
from graph_crm.api.incidents_api import IncidentsMutation, IncidentsQuery
from graph_crm.api.integrations_api import IntegrationsMutation, IntegrationsQuery
from graph_crm.api.keys_api import KeysMutation, KeysQuery
from graph_crm.api.mutations import Mutation
from graph_crm.api.operation import RunChosenOperation
from graph_crm.api.queries import Query
from graph_crm.api.scalars import SCALAR_MAP
from graph_crm.api.schema_validation import SchemaValidation, ValidatedDocuments
from graph_crm.api.subscriptions_api import CoreSubscription
from graph_crm.api.webhooks_api import WebhooksMutation, WebhooksQuery

#: Distinct documents whose validation each schema remembers (clients send few).
PARSED_QUERIES_CACHED = 256


@strawberry.type(name="Query")
class CoreQuery(Query, KeysQuery, IncidentsQuery, IntegrationsQuery, WebhooksQuery):
    """Every root query field of the core schema."""


@strawberry.type(name="Mutation")
class CoreMutation(
    Mutation, KeysMutation, IncidentsMutation, IntegrationsMutation, WebhooksMutation
):
    """Every root mutation field of the core schema."""


class CoreSchema(strawberry.Schema):
    """The core schema, and (copied) each registry version's: each remembers its own
    validation results, so they are freed with it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validated = ValidatedDocuments(PARSED_QUERIES_CACHED)

    def __copy__(self) -> CoreSchema:
        # strawberry_schema.serving() copies the core for each registry version: the copy
        # shares its configuration, not what the original validated.
        copied = object.__new__(type(self))
        copied.__dict__.update(self.__dict__)
        copied.validated = ValidatedDocuments(PARSED_QUERIES_CACHED)
        return copied

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Expected errors are answers, not incidents: log only the unexpected ones.
        log_unexpected(errors)


def build_core_schema(**options: Any) -> CoreSchema:
    return CoreSchema(
        query=CoreQuery,
        mutation=CoreMutation,
        subscription=CoreSubscription,
        # The document comes from the one place that chooses the operation (parsed,
        # measured and cached there); validation results are kept by the schema that
        # executes (schema_validation.py), so each registry version's schema validates
        # afresh and takes its results with it when it goes. Strawberry makes one
        # extension per request from each factory.
        extensions=[
            RunChosenOperation,
            lambda: QueryCostLimiter(max_cost=MAX_COST),
            SchemaValidation,
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
