"""One registry's typed GraphQL types, made once each and looked up by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from graphql import GraphQLNamedType, GraphQLSchema

from graph_crm.model.registry import Registry

T = TypeVar("T", bound=GraphQLNamedType)


class TypeCache:
    """Typed types by name; fields are thunks, so types may refer to each other."""

    def __init__(self, registry: Registry, core: GraphQLSchema) -> None:
        self.registry = registry
        self.core = core
        self.types: dict[str, GraphQLNamedType] = {}

    def get(self, name: str, make: Callable[[], T]) -> T:
        if name not in self.types:
            self.types[name] = make()
        return cast(T, self.types[name])

    def core_type(self, name: str) -> GraphQLNamedType:
        found = self.core.type_map[name]
        assert found is not None, name
        return found
