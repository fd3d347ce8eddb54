"""A bound on how many objects one operation may return, checked before it runs.

The estimate is read from the schema that executes the request (its typed fields
are generated at runtime), never from field names: a field's fan-out is its
``first`` or ``limit`` argument, else 1 for a single object, else
:data:`LIST_DEFAULT_FANOUT` for an unbounded list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

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
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_list_type,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)
from strawberry.extensions import SchemaExtension

if TYPE_CHECKING:
    from graph_crm.api.role_limits import RoleLimits

#: Most objects one operation may be estimated to return.
MAX_COST: Final = 1_000_000
#: Items assumed for a list field that has no ``first``/``limit`` argument.
LIST_DEFAULT_FANOUT: Final = 100
#: What an introspection field (``__schema``, ``__type``, ``__typename``) costs: the
#: schema's size is ours to bound, not the client's.
INTROSPECTION_COST: Final = 1
#: Arguments that bound a list, the first one a field has wins.
BOUND_ARGUMENTS: Final = ("first", "limit")
TOO_COSTLY: Final = "QUERY_TOO_COSTLY"

_Parent = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """How many objects (fields, list items included) the operation can return.

    cost(selections) = sum over fields of 1 + fanout(field) * cost(field's selections).
    A bounded field that returns one object (a connection, a traversal) bounds the
    lists directly inside it: those inherit its fan-out instead of adding their own.
    A document that names no single operation costs 0 (it will not execute).

    >>> from graphql import build_schema, parse
    >>> schema = build_schema('''
    ...   type Query { people(first: Int = 10): [Person!]! }
    ...   type Person { name: String! friends: [Person!]! }
    ... ''')
    >>> estimate_cost(schema, parse('{ people { name } }'))
    11
    >>> estimate_cost(schema, parse('{ people(first: 2) { friends { name } } }'))
    203
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {})
    )
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    estimate = _Estimate(schema, document, None if isinstance(coerced, list) else coerced)
    return estimate.selections(operation.selection_set, root, in_page=False)


class _Estimate:
    """One walk over a validated document; fragments are costed once each."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: VariableValues | None
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        # Without this, fragments that spread each other twice cost 2**n walks.
        self.fragment_costs: dict[tuple[str, bool], int] = {}

    def selections(self, selection_set: SelectionSetNode, parent: _Parent, in_page: bool) -> int:
        total = 0
        for selection in selection_set.selections:
            if not self.included(selection):
                continue
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, in_page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                narrowed = self.composite(condition.name.value) if condition else parent
                total += self.selections(selection.selection_set, narrowed or parent, in_page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.spread(selection.name.value, in_page)
        return total

    def spread(self, name: str, in_page: bool) -> int:
        key = (name, in_page)
        if key not in self.fragment_costs:
            fragment = self.fragments.get(name)
            parent = self.composite(fragment.type_condition.name.value) if fragment else None
            if fragment is None or parent is None:
                return 0  # validation rejects unknown fragments before execution
            self.fragment_costs[key] = 0  # a cycle (rejected by validation) ends here
            self.fragment_costs[key] = self.selections(fragment.selection_set, parent, in_page)
        return self.fragment_costs[key]

    def field(self, node: FieldNode, parent: _Parent, in_page: bool) -> int:
        name = node.name.value
        if name.startswith("__"):
            return INTROSPECTION_COST
        # A union has no fields of its own: only __typename and fragments select from it.
        definition = None if isinstance(parent, GraphQLUnionType) else parent.fields.get(name)
        if definition is None or node.selection_set is None:
            return 1
        child = get_named_type(definition.type)
        if not isinstance(child, _Parent):
            return 1
        bounded = any(argument in definition.args for argument in BOUND_ARGUMENTS)
        page = bounded and not is_list_type(get_nullable_type(definition.type))
        fanout = self.fanout(definition, node, in_page)
        return 1 + fanout * self.selections(node.selection_set, child, in_page=page)

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

    def composite(self, name: str) -> _Parent | None:
        found: GraphQLNamedType | None = self.schema.get_type(name)
        return found if isinstance(found, _Parent) else None


def too_costly(estimate: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"this operation could return an estimated {estimate:,} objects, more than the limit of "
        f"{limit:,}: ask for fewer items with `first`/`limit` on nested lists",
        extensions={"code": TOO_COSTLY, "cost": estimate, "maxCost": limit},
    )


class QueryCostLimiter(SchemaExtension):
    """Refuse, before any resolver runs, an operation estimated above ``max_cost``."""

    def __init__(self, *, max_cost: int = MAX_COST) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # the caller's role may allow less than the global bounds (api/role_limits.py)
        limits: RoleLimits | None = getattr(context.context, "limits", None)
        max_cost = self.max_cost if limits is None else min(self.max_cost, limits.cost)
        if document is not None:
            # Depth, aliases and expanded size were checked where the operation was chosen
            # (api/operation.py), in linear time; here only the cost is left.
            estimate = estimate_cost(
                context.schema._schema, document, context.operation_name, context.variables
            )
            if estimate > max_cost:
                # A result set here is returned as is: strawberry does not execute.
                context.result = GraphQLExecutionResult(
                    data=None, errors=[too_costly(estimate, max_cost)]
                )
        yield
