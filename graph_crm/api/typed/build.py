"""The served schema for one registry version: the core schema plus the typed part.

The core's strawberry types are reused as they are; only the root types are new,
holding the core's root fields followed by the typed ones.
"""

from __future__ import annotations

from typing import TypeVar

import strawberry
from graphql import GraphQLObjectType, GraphQLSchema, assert_valid_schema

from graph_crm.api.strawberry_schema import graphql_schema, serving
from graph_crm.api.typed.cache import TypeCache
from graph_crm.api.typed.roots import mutation_fields, query_fields
from graph_crm.model.registry import Registry

S = TypeVar("S", bound=strawberry.Schema)


def _root(core_root: GraphQLObjectType, typed: TypeCache, mutation: bool) -> GraphQLObjectType:
    return GraphQLObjectType(
        core_root.name,
        lambda: {
            **core_root.fields,
            **(mutation_fields(typed) if mutation else query_fields(typed)),
        },
        description=core_root.description,
        extensions=core_root.extensions,
    )


def build_schema(core: S, registry: Registry) -> S:
    """A copy of ``core`` that serves ``registry``'s typed fields as well."""
    core_graphql = graphql_schema(core)
    assert core_graphql.query_type is not None
    assert core_graphql.mutation_type is not None
    cache = TypeCache(registry, core_graphql)
    served = GraphQLSchema(
        query=_root(core_graphql.query_type, cache, mutation=False),
        mutation=_root(core_graphql.mutation_type, cache, mutation=True),
        subscription=core_graphql.subscription_type,
        directives=core_graphql.directives,
        description=core_graphql.description,
    )
    assert_valid_schema(served)
    return serving(core, served)
