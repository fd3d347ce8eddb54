"""The one place that touches strawberry's private schema attributes.

Strawberry builds its ``Schema`` from strawberry types only; the typed part of ours is
built at runtime from graphql-core types (:mod:`graph_crm.api.typed`), so a served
schema is a copy of the core strawberry schema holding another graphql-core schema.
Strawberry keeps that one in ``Schema._schema``, and finds its way back from it (in
resolvers' ``info``) through ``GraphQLSchema._strawberry_schema``; both are private.
``tests/api/test_strawberry_schema.py`` pins how the installed strawberry uses them, so
an upgrade that changes either fails there first.
"""

from __future__ import annotations

import copy
from typing import TypeVar

import strawberry
from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema
from strawberry.schema.schema import validate_document

S = TypeVar("S", bound=strawberry.Schema)


def graphql_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema ``schema`` validates and executes against."""
    return schema._schema


def serving(schema: S, served: GraphQLSchema) -> S:
    """A copy of ``schema`` (its extensions, config and error handling) that validates
    and executes against ``served`` instead."""
    copied = copy.copy(schema)
    copied._schema = served
    served._strawberry_schema = copied  # type: ignore[attr-defined]
    served.extensions = dict(graphql_schema(schema).extensions)
    return copied


def validate(
    schema: strawberry.Schema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
) -> list[GraphQLError]:
    """What strawberry's own validation of ``document`` on ``schema`` answers (its rules
    added to ``rules``), uncached: whoever calls this keeps the result where it wants."""
    return validate_document(graphql_schema(schema), document, rules)
