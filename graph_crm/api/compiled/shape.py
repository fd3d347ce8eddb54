"""What a query asks, worked out once per (schema, document): its fields, merged and
classified, ready to bind to a request's variables (:mod:`.bind`).

Fields are collected as GraphQL executes them: fragments and inline fragments are
expanded in place, and the fields of one response key are merged (validation has made
sure they agree), their selections joined. Each field is then named for what it reads:
a typed lookup or page at the root, an entity's system field, property or relation
list, a relation edge's values and ``node``, a page's count, edges and ``pageInfo``.

A query is compiled only when every field it holds is one of those. Anything else (the
core schema's fields, introspection, the typed mutations) raises :class:`NotCompiled`,
and the query runs on the resolvers as before.

``@skip``/``@include`` are decided before the shape is made: the caller finds the
nodes that carry them (:func:`~.shapes.conditional_nodes`), decides each with the
request's variables and passes those left out; a shape is made (and cached) per decision.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)

from graph_crm.model.graphql_names import EntityNames, RelationField, relation_fields
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertySpec
from graph_crm.store.reads.plan import Source

#: A node that may carry @skip/@include: a field, a fragment spread or an inline fragment.
Conditional = FieldNode | FragmentSpreadNode | InlineFragmentNode
#: A field's definition on its parent type (None: the parent has no such field).
Definition = GraphQLField | None


class NotCompiled(Exception):
    """The query holds a field the compiled path does not answer."""


class What(Enum):
    LOOKUP = "lookup"
    PAGE = "page"
    VALUE = "value"
    RELATION = "relation"
    EDGES = "edges"
    NODE = "node"
    PAGE_EDGES = "pageEdges"
    PAGE_INFO = "pageInfo"


@dataclass(frozen=True)
class Field:
    key: str
    what: What
    #: The field's first node (its arguments) and definition.
    node: FieldNode
    definition: GraphQLField | None
    #: VALUE: where the value comes from; its property, or the typename.
    source: Source | None = None
    name: str = ""
    spec: PropertySpec | None = None
    #: LOOKUP/PAGE: the entity type; RELATION/EDGES: the relation field.
    entity_type: str = ""
    relation: RelationField | None = None
    children: tuple[Field, ...] = ()


@dataclass(frozen=True)
class Shape:
    """A compiled query: its root fields."""

    roots: tuple[Field, ...]


_SYSTEM = {"id": Source.ID, "key": Source.KEY, "createdAt": Source.CREATED,
           "updatedAt": Source.UPDATED}  # fmt: skip
_PAGE_VALUES = {"cursor": Source.CURSOR, "hasNextPage": Source.HAS_NEXT,
                "endCursor": Source.END_CURSOR, "totalCount": Source.TOTAL}  # fmt: skip


def shape_of(
    schema: GraphQLSchema,
    registry: Registry,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    left_out: frozenset[int] = frozenset(),
) -> Shape:
    """The query ``operation`` as compiled fields, or :class:`NotCompiled`; ``left_out``:
    the ids of the nodes its @skip/@include leave out."""
    if operation.operation is not OperationType.QUERY or schema.query_type is None:
        raise NotCompiled("only queries are compiled")
    shaper = _Shaper(schema, registry, fragments, left_out)
    return Shape(shaper.roots(schema.query_type, operation))


class _Shaper:
    def __init__(
        self,
        schema: GraphQLSchema,
        registry: Registry,
        fragments: dict[str, FragmentDefinitionNode],
        left_out: frozenset[int],
    ) -> None:
        self.schema = schema
        self.registry = registry
        self.fragments = fragments
        self.left_out = left_out
        roots: dict[str, tuple[What, str]] = {}
        for entity_type in registry.entity_types.values():
            names = EntityNames.of(entity_type)
            roots[names.lookup] = (What.LOOKUP, entity_type.name)
            roots[names.list] = (What.PAGE, entity_type.name)
        self.root_fields = roots

    def roots(
        self, query: GraphQLObjectType, operation: OperationDefinitionNode
    ) -> tuple[Field, ...]:
        def root(key: str, found: list[FieldNode], name: str, field: Definition) -> Field | None:
            what, type_name = self.root_fields.get(name, (None, ""))
            if what is None or field is None:
                return None
            if what is What.LOOKUP:
                children = self.entity(self.object_type(type_name), found)
            else:
                children = self.connection(self.object_type(field), type_name, found)
            return Field(key, what, found[0], field, entity_type=type_name, children=children)

        return self.fields(query, [operation.selection_set], root)

    def entity(self, parent: GraphQLObjectType, nodes: Sequence[FieldNode]) -> tuple[Field, ...]:
        entity_type = self.registry.entity_type(parent.name)
        specs = {spec.name: spec for spec in entity_type.properties}
        relations = relation_fields(self.registry, parent.name)
        edges = {field.end.edges_field: field for field in relations.values()}

        def part(key: str, found: list[FieldNode], name: str, field: Definition) -> Field | None:
            node = found[0]
            if name in _SYSTEM:
                return Field(key, What.VALUE, node, field, _SYSTEM[name])
            if name in specs:
                return self.property(key, node, field, specs[name])
            relation = relations.get(name) or edges.get(name)
            if relation is None:
                return None
            if name in relations:
                what = What.RELATION
                children = self.entity(self.object_type(relation.far_type), found)
            else:
                what, children = What.EDGES, self.edge(relation, found)
            return Field(key, what, node, field, relation=relation, children=children)

        return self.fields(parent, _selections(nodes), part)

    def edge(self, relation: RelationField, nodes: Sequence[FieldNode]) -> tuple[Field, ...]:
        specs = {s.name: s for s in self.registry.relation_type(relation.relation).properties}

        def part(key: str, found: list[FieldNode], name: str, field: Definition) -> Field | None:
            node = found[0]
            if name == "node":
                children = self.entity(self.object_type(relation.far_type), found)
                return Field(key, What.NODE, node, field, entity_type=relation.far_type,
                             children=children)  # fmt: skip
            if name in ("createdAt", "updatedAt"):
                return Field(key, What.VALUE, node, field, _SYSTEM[name])
            if name in specs:
                return self.property(key, node, field, specs[name])
            return None

        return self.fields(self.object_type(relation.end.edge_type), _selections(nodes), part)

    def connection(
        self, parent: GraphQLObjectType, type_name: str, nodes: Sequence[FieldNode]
    ) -> tuple[Field, ...]:
        def part(key: str, found: list[FieldNode], name: str, field: Definition) -> Field | None:
            if name == "totalCount":
                return Field(key, What.VALUE, found[0], field, Source.TOTAL)
            if name not in ("edges", "pageInfo") or field is None:
                return None
            what = What.PAGE_EDGES if name == "edges" else What.PAGE_INFO
            children = self.page_part(self.object_type(field), type_name, found)
            return Field(key, what, found[0], field, children=children)

        return self.fields(parent, _selections(nodes), part)

    def page_part(
        self, parent: GraphQLObjectType, type_name: str, nodes: Sequence[FieldNode]
    ) -> tuple[Field, ...]:
        """An edge of a page (``cursor``, ``node``) or its ``pageInfo``."""

        def part(key: str, found: list[FieldNode], name: str, field: Definition) -> Field | None:
            if name in _PAGE_VALUES:
                return Field(key, What.VALUE, found[0], field, _PAGE_VALUES[name])
            if name != "node":
                return None
            children = self.entity(self.object_type(type_name), found)
            return Field(key, What.NODE, found[0], field, entity_type=type_name,
                         children=children)  # fmt: skip

        return self.fields(parent, _selections(nodes), part)

    def fields(
        self,
        parent: GraphQLObjectType,
        selection_sets: Sequence[SelectionSetNode],
        part: Callable[[str, list[FieldNode], str, Definition], Field | None],
    ) -> tuple[Field, ...]:
        """Each response key of ``selection_sets`` on ``parent`` as ``part`` names it
        (``__typename`` anywhere); a field ``part`` does not know is NotCompiled."""
        out = []
        for key, found in self.collect(parent, selection_sets):
            name = found[0].name.value
            if name == "__typename":
                out.append(self.typename(key, found[0], parent.name))
                continue
            field = part(key, found, name, parent.fields.get(name))
            if field is None:
                raise NotCompiled(f"{parent.name}.{name} is answered by its resolver")
            out.append(field)
        return tuple(out)

    @staticmethod
    def typename(key: str, node: FieldNode, type_name: str) -> Field:
        return Field(key, What.VALUE, node, None, Source.TYPENAME, type_name)

    @staticmethod
    def property(
        key: str,
        node: FieldNode,
        definition: GraphQLField | None,
        spec: PropertySpec,
    ) -> Field:
        return Field(key, What.VALUE, node, definition, Source.PROPERTY,
                     spec.name, spec)  # fmt: skip

    def object_type(self, of: str | GraphQLField) -> GraphQLObjectType:
        named: GraphQLNamedType | None = (
            self.schema.get_type(of) if isinstance(of, str) else get_named_type(of.type)
        )
        if not isinstance(named, GraphQLObjectType):
            raise NotCompiled(f"{of} is not an object type of this schema")
        return named

    def collect(
        self, parent: GraphQLObjectType, selection_sets: Sequence[SelectionSetNode]
    ) -> list[tuple[str, list[FieldNode]]]:
        """The fields of ``selection_sets`` on ``parent`` by response key, in order."""
        found: dict[str, list[FieldNode]] = {}
        for selection_set in selection_sets:
            self._collect(parent, selection_set, found, set())
        return list(found.items())

    def _collect(
        self,
        parent: GraphQLObjectType,
        selection_set: SelectionSetNode,
        found: dict[str, list[FieldNode]],
        spread: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if id(selection) in self.left_out:
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                found.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                self._check_condition(parent, selection.type_condition)
                self._collect(parent, selection.selection_set, found, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in spread:
                    raise NotCompiled(f"fragment {name} is missing or spreads itself")
                self._check_condition(parent, fragment.type_condition)
                self._collect(parent, fragment.selection_set, found, spread | {name})

    @staticmethod
    def _check_condition(parent: GraphQLObjectType, condition: object) -> None:
        name = getattr(getattr(condition, "name", None), "value", None)
        if condition is not None and name != parent.name:
            raise NotCompiled(f"a fragment on {name} inside {parent.name}")


def _selections(nodes: Sequence[FieldNode]) -> list[SelectionSetNode]:
    return [node.selection_set for node in nodes if node.selection_set is not None]
