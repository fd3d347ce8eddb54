"""Queries answered by one store read instead of field-by-field resolvers.

:class:`CompiledReads` runs after every check a request goes through (the role's
access, depth and size at the endpoint, validation, the cost limit, the work budget
set around execution): it only replaces how an already-admitted query is executed.
A query whose shape compiles (:mod:`.shape`), bound to the request's variables
(:mod:`.bind`), is answered by :meth:`~graph_crm.store.base.GraphStore.read_operation`
— one statement on Neo4j. Any query that does not compile, any argument the checks
refuse and any stored value the plan cannot answer is left to the resolvers, which
answer or refuse it exactly as before.

Shapes are cached per schema (so per registry version), per document, per role and per
decision of the document's @skip/@include (:class:`CompiledShapes`); a superseded
schema takes its shapes with it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLIncludeDirective,
    GraphQLSchema,
    GraphQLSkipDirective,
    OperationDefinitionNode,
    OperationType,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution.values import VariableValues, get_directive_values, get_variable_values
from strawberry.extensions import SchemaExtension

from graph_crm.api.compiled.bind import bind
from graph_crm.api.compiled.shape import (
    Conditional,
    NotCompiled,
    Shape,
    conditional_nodes,
    shape_of,
)
from graph_crm.api.request_log import note
from graph_crm.api.strawberry_schema import graphql_schema
from graph_crm.errors import GraphCrmError
from graph_crm.model.registry import Registry
from graph_crm.store.reads.plan import Value
from graph_crm.store.reads.project import Unanswerable

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


class CompiledReads(SchemaExtension):
    """Answers an admitted query with one store read when it compiles (see the module)."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.result is None:
            api = context.context
            result = await answer(api, context.schema, context.variables or {})
            if result is not None:
                # A result set here is returned as is: strawberry does not execute.
                context.result = result
        yield


async def answer(api: Any, schema: Any, variables: dict[str, Any]) -> GraphQLExecutionResult | None:
    """The result of the request ``api`` (its ApiContext) by the compiled path, or None
    to leave it to the resolvers."""
    operation = getattr(api, "operation", None)
    registry: Registry | None = getattr(api, "registry", None)
    plans: CompiledShapes | None = getattr(schema, "plans", None)
    if operation is None or registry is None or plans is None:
        return None  # not a request of the endpoint (the CLI, a test's execute)
    if not api.request.app.state.settings.compiled_reads:
        return None
    if operation.kind is not OperationType.QUERY:
        return None
    served = graphql_schema(schema)
    document = operation.document
    definition = document.definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    coerced = get_variable_values(served, definition.variable_definitions or (), variables)
    if isinstance(coerced, list):
        return None  # the resolvers' execution reports the variables' errors
    try:
        conditional = plans.conditional(document)
        decisions = tuple(included(node, coerced) for node in conditional)
    except GraphQLError:
        return None
    left_out = frozenset(id(n) for n, keep in zip(conditional, decisions, strict=True) if not keep)
    shape = plans.get(
        document,
        api.principal.role.value,
        decisions,
        lambda: compiled_shape(served, registry, document, left_out),
    )
    if shape is None:
        return None
    try:
        plan = bind(shape, registry, coerced, api.limits.page_size)
    except (GraphCrmError, GraphQLError):
        return None  # refused: the resolvers refuse it with their error and path
    try:
        if all(isinstance(root, Value) for root in plan.roots):
            data = {root.key: root.name for root in plan.roots}  # only __typename: no read
        else:
            data = await api.store.read_operation(plan)
    except Unanswerable:
        return None
    except GraphCrmError as error:
        # the store failed (timed out, unavailable): the error, at the first root
        first = next(iter(root.key for root in plan.roots), None)
        path = [first] if first is not None else None
        return GraphQLExecutionResult(
            data=None, errors=[GraphQLError(error.message, path=path, original_error=error)]
        )
    note(api.request, compiled=True)
    return GraphQLExecutionResult(data=data, errors=None)
