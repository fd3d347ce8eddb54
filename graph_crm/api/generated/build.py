"""The served schema for one registry version: the core schema plus the generated part.

The core's strawberry types are reused as they are; only the root types are new,
holding the core's root fields followed by the generated ones.
"""

from __future__ import annotations

import copy

from graphql import GraphQLObjectType, GraphQLSchema, assert_valid_schema

from graph_crm.api.generated.cache import TypeCache
from graph_crm.api.generated.roots import mutation_fields, query_fields
from graph_crm.api.schema import CoreSchema
from graph_crm.model.registry import Registry


def _root(core_root: GraphQLObjectType, generated: TypeCache, mutation: bool) -> GraphQLObjectType:
    return GraphQLObjectType(
        core_root.name,
        lambda: {
            **core_root.fields,
            **(mutation_fields(generated) if mutation else query_fields(generated)),
        },
        description=core_root.description,
        extensions=core_root.extensions,
    )


def build_schema(core: CoreSchema, registry: Registry) -> CoreSchema:
    """A copy of ``core`` that serves ``registry``'s typed fields as well."""
    core_graphql = core._schema
    assert core_graphql.query_type is not None
    assert core_graphql.mutation_type is not None
    cache = TypeCache(registry, core_graphql)
    served = GraphQLSchema(
        query=_root(core_graphql.query_type, cache, mutation=False),
        mutation=_root(core_graphql.mutation_type, cache, mutation=True),
        directives=core_graphql.directives,
        description=core_graphql.description,
    )
    assert_valid_schema(served)
    schema = copy.copy(core)
    schema._schema = served
    served._strawberry_schema = schema  # type: ignore[attr-defined]
    served.extensions = dict(core_graphql.extensions)
    return schema
