"""Queries answered by one store read instead of field-by-field resolvers.

The endpoint asks :func:`compiled_result` first, for a query the caller may run (its
key, role, depth and size were checked), inside the role's work budget. It checks what
strawberry's execution would check first — validation (remembered per schema, as for
every request) — and, if the query's shape compiles (:mod:`.shape`, cached per schema by
:mod:`.shapes`), the cost estimate; then it binds the shape to the request's variables
(:mod:`.bind`) and answers it with
:meth:`~graph_crm.store.base.GraphStore.read_operation`: one statement on Neo4j.

Anything else returns None and strawberry executes the query as before: a query that
does not compile, one that validation or the cost limit refuses, any argument the
checks refuse, any stored value the plan cannot answer. Those are answered or refused
by the resolvers exactly as they always were.
"""

from __future__ import annotations

from typing import Any, Final

from graphql import GraphQLError, OperationDefinitionNode, OperationType, specified_rules
from graphql.execution.values import get_variable_values
from strawberry.types import ExecutionResult

from graph_crm.api.compiled.bind import bind
from graph_crm.api.compiled.shapes import compiled_shape, included, shapes_of
from graph_crm.api.cost import cost_refusal
from graph_crm.api.errors import shape_error
from graph_crm.api.request_log import note
from graph_crm.api.schema_validation import ValidatedDocuments
from graph_crm.api.strawberry_schema import graphql_schema, validate
from graph_crm.errors import GraphCrmError
from graph_crm.store.reads.guard import ReadGuard
from graph_crm.store.reads.plan import Value
from graph_crm.store.reads.project import Unanswerable

#: The rules strawberry validates a request with (its execution context's default).
RULES: Final = tuple(specified_rules)


async def compiled_result(
    api: Any, variables: dict[str, Any] | None, guard: ReadGuard | None = None
) -> ExecutionResult | None:
    """The result of the request whose ApiContext is ``api`` by one store read, or None
    to let strawberry execute it.

    ``guard``: the request is unconfirmed (api/verified_keys.py); answered only by a read
    behind it that found the key and registry as given, else None (a query that reads
    nothing, a guard that did not hold: confirmed first, then served). A store error is
    answered as ever; the endpoint confirms the key before it sends it."""
    operation = api.operation
    if operation.kind is not OperationType.QUERY:
        return None
    if not api.request.app.state.settings.compiled_reads:
        return None
    schema = api.schema
    document = operation.document
    validated = getattr(schema, "validated", None)
    if not isinstance(validated, ValidatedDocuments):
        return None
    if validated.get(document, RULES, lambda d: validate(schema, d, RULES)):
        return None  # strawberry reports the validation errors
    served = graphql_schema(schema)
    definition = document.definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    coerced = get_variable_values(served, definition.variable_definitions or (), variables or {})
    if isinstance(coerced, list):
        return None  # strawberry reports the variables' errors
    shapes = shapes_of(served)
    try:
        conditional = shapes.conditional(document)
        decisions = tuple(included(node, coerced) for node in conditional)
    except GraphQLError:
        return None
    left_out = frozenset(id(n) for n, keep in zip(conditional, decisions, strict=True) if not keep)
    registry = api.registry
    shape = shapes.get(
        document,
        api.principal.role.value,
        decisions,
        lambda: compiled_shape(served, registry, document, left_out),
    )
    if shape is None:
        return None  # not compiled: strawberry executes it (and prices it), as before
    if await cost_refusal(served, document, operation.name, variables, api) is not None:
        return None  # strawberry refuses it (QUERY_TOO_COSTLY) through its extension
    try:
        plan = bind(shape, registry, coerced, api.limits.page_size)
    except (GraphCrmError, GraphQLError):
        return None  # refused: the resolvers refuse it with their error and path
    try:
        names = [root for root in plan.roots if isinstance(root, Value)]
        if len(names) == len(plan.roots):
            if guard is not None:
                return None  # nothing read would check the key: confirmed first
            data = {root.key: root.name for root in names}  # only __typename: no read
        else:
            data = await api.store.read_operation(plan, guard)
            if data is None:
                return None  # the guard did not hold: confirmed the full way first
    except Unanswerable:
        return None
    except GraphCrmError as error:
        # the store failed (timed out, unavailable): the error, at the first root
        first = plan.roots[0].key if plan.roots else None
        located = GraphQLError(error.message, path=[first] if first else None, original_error=error)
        return ExecutionResult(data=None, errors=[shape_error(located)])
    note(api.request, compiled=True)
    return ExecutionResult(data=data, errors=None)
