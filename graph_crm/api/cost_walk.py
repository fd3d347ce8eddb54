"""One walk over a validated operation, for :mod:`graph_crm.api.cost`.

objects(selections) = sum over fields of 1 + fanout(field) * objects(field's selections);
each fragment is walked once per context and its result reused wherever it is spread.
Introspection (``__schema``, ``__type``) is walked against this schema's sizes
(:mod:`.introspection_cost`) and priced as a share of :data:`INTROSPECTION_COST`, what
the whole of GraphiQL's introspection query costs on this schema, whatever its size.
"""

from __future__ import annotations

from typing import Final
from weakref import WeakKeyDictionary

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    GraphQLUnionType,
    InlineFragmentNode,
    SchemaMetaFieldDef,
    SelectionNode,
    SelectionSetNode,
    TypeMetaFieldDef,
    get_introspection_query,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
    parse,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values

from graph_crm.api.field_work import field_work
from graph_crm.api.introspection_cost import introspection_sizes, wrapped_share
from graph_crm.api.work_price import WorkPrices

#: Items assumed for a list field that has no ``first``/``limit`` argument.
LIST_DEFAULT_FANOUT: Final = 100
#: Arguments that bound a list, the first one a field has wins.
BOUND_ARGUMENTS: Final = ("first", "limit")
#: What GraphiQL's whole introspection query costs on any schema: a client may fetch the
#: schema a couple of times in one request, not dozens (each ``__schema``/``__type`` is
#: priced as its share of that, from the sizes of the schema it reads).
INTROSPECTION_COST: Final = 100_000

Parent = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
_META_FIELDS: Final = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}
_FULL_INTROSPECTION: Final[WeakKeyDictionary[GraphQLSchema, float]] = WeakKeyDictionary()


class Walk:
    """``objects`` from :meth:`selections`; ``relations`` accumulated on the way."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: VariableValues | None,
        prices: WorkPrices | None,
        *,
        raw_introspection: bool = False,
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.prices = prices
        self.raw_introspection = raw_introspection
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        # Without this, fragments that spread each other twice cost 2**n walks. Each
        # holds a fragment's objects and the relations its fields expand (added again
        # wherever it is spread, never multiplied by a list's fan-out), per context:
        # inside a page or not, and how deep in an ``ofType`` chain.
        self.fragment_costs: dict[tuple[str, bool, int], tuple[float, int]] = {}
        self.relations = 0
        #: Fields whose work has a price (traversals, lists given a ``where``) were seen.
        self.priced = False

    def selections(
        self, selection_set: SelectionSetNode, parent: Parent, in_page: bool, level: int = 0
    ) -> float:
        total = 0.0
        for selection in selection_set.selections:
            if not self.included(selection):
                continue
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, in_page, level)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                narrowed = self.composite(condition.name.value) if condition else parent
                total += self.selections(
                    selection.selection_set, narrowed or parent, in_page, level
                )
            elif isinstance(selection, FragmentSpreadNode):
                total += self.spread(selection.name.value, in_page, level)
        return total

    def spread(self, name: str, in_page: bool, level: int) -> float:
        key = (name, in_page, level)
        if key in self.fragment_costs:
            objects, relations = self.fragment_costs[key]
            self.relations += relations
            return objects
        fragment = self.fragments.get(name)
        parent = self.composite(fragment.type_condition.name.value) if fragment else None
        if fragment is None or parent is None:
            return 0.0  # validation rejects unknown fragments before execution
        self.fragment_costs[key] = (0.0, 0)  # a cycle (rejected by validation) ends here
        before = self.relations
        objects = self.selections(fragment.selection_set, parent, in_page, level)
        self.fragment_costs[key] = (objects, self.relations - before)
        return objects

    def field(self, node: FieldNode, parent: Parent, in_page: bool, level: int) -> float:
        name = node.name.value
        if name == "__typename":
            return 1.0
        if name in _META_FIELDS:
            objects = self.subtree(node, _META_FIELDS[name], in_page, 1.0, 0)
            if self.raw_introspection:
                return objects
            return INTROSPECTION_COST * objects / full_introspection(self.schema)
        # A union has no fields of its own: only __typename and fragments select from it.
        definition = None if isinstance(parent, GraphQLUnionType) else parent.fields.get(name)
        if definition is None:
            return 1.0
        if parent.name.startswith("__"):  # an introspection type: this schema's sizes
            chained = name == "ofType"
            inner = level + 1 if chained else 0
            if chained:
                shares = wrapped_share(self.schema)
                fanout = shares[inner] if inner < len(shares) else 0.0
            else:
                fanout = introspection_sizes(self.schema).get((parent.name, name), 1)
            return self.subtree(node, definition, in_page, fanout, inner)
        if _expands_relations(definition, node):
            self.priced = True
            if self.prices is not None:
                self.relations += self.work(definition, node, self.prices)
        return self.subtree(node, definition, in_page, None, 0)

    def subtree(
        self,
        node: FieldNode,
        definition: GraphQLField,
        in_page: bool,
        fanout: float | None,
        level: int,
    ) -> float:
        """1 + fanout * the field's selections (``fanout`` None: from its arguments)."""
        child = get_named_type(definition.type)
        if node.selection_set is None or not isinstance(child, Parent):
            return 1.0
        bounded = any(argument in definition.args for argument in BOUND_ARGUMENTS)
        page = bounded and not is_list_type(get_nullable_type(definition.type))
        if fanout is None:
            fanout = self.fanout(definition, node, in_page)
        return 1.0 + fanout * self.selections(node.selection_set, child, page, level)

    def work(self, definition: GraphQLField, node: FieldNode, prices: WorkPrices) -> int:
        """Relations the field's resolver may expand (traversals, relation filters)."""
        try:
            arguments = get_argument_values(definition, node, self.variables)
        except GraphQLError:
            return 0  # invalid arguments: execution reports them and runs nothing
        return field_work(prices, definition, arguments)

    def fanout(self, definition: GraphQLField, node: FieldNode, in_page: bool) -> int:
        for argument in BOUND_ARGUMENTS:
            if argument in definition.args:
                bound = self.argument(definition, node, argument)
                return max(0, bound) if bound is not None else LIST_DEFAULT_FANOUT
        if not is_list_type(get_nullable_type(definition.type)):
            return 1
        return 1 if in_page else LIST_DEFAULT_FANOUT

    def argument(self, definition: GraphQLField, node: FieldNode, name: str) -> int | None:
        """The argument's value: given, from a variable, or the schema's default."""
        alone = GraphQLField(definition.type, {name: definition.args[name]})
        try:
            value = next(iter(get_argument_values(alone, node, self.variables).values()), None)
        except GraphQLError:
            return None  # invalid variables: execution reports them and runs nothing
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def included(self, node: SelectionNode) -> bool:
        try:
            skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
            include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        except GraphQLError:
            return True  # unknown at this point: count it
        return not (skip and skip.get("if") is True) and not (
            include and include.get("if") is False
        )

    def composite(self, name: str) -> Parent | None:
        found: GraphQLNamedType | None = self.schema.get_type(name)
        return found if isinstance(found, Parent) else None


def _expands_relations(definition: GraphQLField, node: FieldNode) -> bool:
    """A traversal, a neighbour page, or a list given a ``where`` (see :mod:`.field_work`)."""
    args = definition.args
    if ("from" in args and "steps" in args) or ("relation" in args and "direction" in args):
        return True
    return "where" in definition.args and any(
        argument.name.value == "where" for argument in node.arguments or ()
    )


def full_introspection(schema: GraphQLSchema) -> float:
    """Objects GraphiQL's introspection query answers on ``schema``, as estimated
    (cached per schema: each registry version's is another)."""
    found = _FULL_INTROSPECTION.get(schema)
    if found is None:
        document = parse(get_introspection_query())
        operation = get_operation_ast(document)
        root = schema.query_type
        assert operation is not None
        assert root is not None
        walk = Walk(schema, document, None, None, raw_introspection=True)
        found = max(1.0, walk.selections(operation.selection_set, root, in_page=False))
        _FULL_INTROSPECTION[schema] = found
    return found
