"""Compiled shapes, cached per schema: what a query asks, worked out once.

A schema (so a registry version) keeps the shapes of its last documents, per role and
per decision of their @skip/@include, in a table keyed weakly by the schema: a
superseded schema takes its shapes with it (docs/graphql.md, "What is cached per
schema").
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Final
from weakref import WeakKeyDictionary

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.execution.values import VariableValues, get_directive_values

from graph_crm.api.compiled.shape import Conditional, NotCompiled, Shape, shape_of
from graph_crm.model.registry import Registry

_CONDITIONS = frozenset({"skip", "include"})
#: Distinct (document, role, decisions) each schema remembers (clients send few).
SHAPES_CACHED: Final = 256

_Key = tuple[int, str, tuple[bool, ...]]


class CompiledShapes:
    """One schema's compiled shapes of its last ``maxsize`` (document, role, @skip and
    @include decisions); a query that does not compile is remembered as None. An entry
    holds its document, so the document's identity (the operation chooser hands out one
    object per text and name) is never reused while the entry lives."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._shapes: OrderedDict[_Key, tuple[DocumentNode, Shape | None]] = OrderedDict()
        self._conditional: OrderedDict[int, tuple[DocumentNode, tuple[Conditional, ...]]] = (
            OrderedDict()
        )

    def __len__(self) -> int:
        return len(self._shapes)

    def conditional(self, document: DocumentNode) -> tuple[Conditional, ...]:
        """The nodes of ``document`` that carry @skip/@include."""
        found = self._conditional.get(id(document))
        if found is None:
            found = self._conditional[id(document)] = (
                document,
                conditional_nodes(document.definitions),
            )
            if len(self._conditional) > self.maxsize:
                self._conditional.popitem(last=False)
        return found[1]

    def get(
        self,
        document: DocumentNode,
        role: str,
        decisions: tuple[bool, ...],
        make: Callable[[], Shape | None],
    ) -> Shape | None:
        key = (id(document), role, decisions)
        found = self._shapes.get(key)
        if found is not None:
            self._shapes.move_to_end(key)
            return found[1]
        shape = make()
        self._shapes[key] = (document, shape)
        if len(self._shapes) > self.maxsize:
            self._shapes.popitem(last=False)
        return shape


def compiled_shape(
    schema: GraphQLSchema, registry: Registry, document: DocumentNode, left_out: frozenset[int]
) -> Shape | None:
    """``document``'s query compiled against ``schema`` (the graphql-core one), or None."""
    operation, *others = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    fragments = {d.name.value: d for d in others if isinstance(d, FragmentDefinitionNode)}
    try:
        return shape_of(schema, registry, operation, fragments, left_out)
    except NotCompiled:
        return None


def included(node: Conditional, variables: VariableValues) -> bool:
    """Whether @skip/@include on ``node`` leave it in, as graphql-core decides it."""
    skip = get_directive_values(GraphQLSkipDirective, node, variables)
    if skip and skip.get("if") is True:
        return False
    include = get_directive_values(GraphQLIncludeDirective, node, variables)
    return not (include and include.get("if") is False)


_TABLES: Final[WeakKeyDictionary[GraphQLSchema, CompiledShapes]] = WeakKeyDictionary()


def shapes_of(schema: GraphQLSchema) -> CompiledShapes:
    """The shapes ``schema`` (the graphql-core schema serving a registry version) keeps."""
    found = _TABLES.get(schema)
    if found is None:
        found = _TABLES[schema] = CompiledShapes(SHAPES_CACHED)
    return found


def conditional_nodes(definitions: Sequence[object]) -> tuple[Conditional, ...]:
    """Every field, fragment spread and inline fragment of ``definitions`` (an operation
    and its fragments) that carries @skip or @include, in document order."""
    found: list[Conditional] = []

    def walk(selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            assert isinstance(selection, FieldNode | InlineFragmentNode | FragmentSpreadNode)
            if any(d.name.value in _CONDITIONS for d in selection.directives or ()):
                found.append(selection)
            if not isinstance(selection, FragmentSpreadNode):
                walk(selection.selection_set)

    for definition in definitions:
        walk(getattr(definition, "selection_set", None))
    return tuple(found)
