"""Which operation of a GraphQL document runs: chosen once, here, for everyone.

The access check, the size checks and the executor all use the :class:`Operation`
this module returns. The executor is handed a document holding that operation and
the fragments it spreads, and nothing else, so it has no choice left to make: what
was checked is what runs.

The shape of the operation (root fields, depth, aliases, field selections once every
fragment spread is expanded) is measured by :mod:`graph_crm.api.operation_shape`, in
linear time, so it can be refused by its size before anything else walks it.

>>> chosen = select_operation("query A { a } query B { b { c } }", "B")
>>> chosen.name, chosen.root_fields, chosen.depth
('B', ('b',), 2)
>>> select_operation("query A { a } query B { b }", None)
Traceback (most recent call last):
...
graph_crm.api.operation.BadOperation: BAD_REQUEST: Must provide operation name if query \
contains multiple operations (this document holds A, B)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    parse,
)
from strawberry.extensions import SchemaExtension

from graph_crm.api.limits import MAX_TOKENS
from graph_crm.api.operation_shape import fragment_shapes, measure
from graph_crm.errors import GraphCrmError


class BadOperation(GraphCrmError):
    """The request does not name exactly one operation of its document (HTTP 400)."""

    code = "BAD_REQUEST"


@dataclass(frozen=True, slots=True)
class Operation:
    """The one operation a request runs."""

    #: Only this operation and the fragments it reaches: what the executor gets.
    document: DocumentNode
    name: str | None
    kind: OperationType
    root_fields: tuple[str, ...]
    depth: int
    data_depth: int
    aliases: int
    selections: int
    overlap: int


def select_operation(query: str, operation_name: object) -> Operation:
    """The operation ``operation_name`` picks from ``query``, measured.

    A syntax error is a :class:`GraphQLError` (answered as GraphQL errors, as the spec
    asks); a request that picks no single operation is :class:`BadOperation` (HTTP 400).
    """
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadOperation("operationName must be a string or null")
    return _select(query, operation_name or None)


@lru_cache(maxsize=256)
def _select(query: str, operation_name: str | None) -> Operation:
    # Cached, so the same text and name give the very same document object, whose
    # validation each schema then remembers (api/schema_validation.py, by identity).
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLSyntaxError as error:
        raise _with_hint(error) from None
    operation = _pick(document, operation_name)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    shapes = fragment_shapes(operation, fragments)
    shape = measure(operation.selection_set, shapes)
    reached = [fragments[name] for name in shapes if name in fragments]
    return Operation(
        document=DocumentNode(definitions=(operation, *reached)),
        name=operation.name.value if operation.name else None,
        kind=operation.operation,
        root_fields=shape.top_fields,
        depth=shape.depth,
        data_depth=shape.data_depth,
        aliases=shape.aliases,
        selections=shape.selections,
        overlap=shape.overlap,
    )


#: What graphql-core says when a document is longer than ``max_tokens``.
_TOO_MANY_TOKENS = f"Document contains more than {MAX_TOKENS} tokens."
#: What to do instead: data goes in variables, which are not tokens of the document.
TOKENS_HINT = (
    "Pass large inputs such as records as variables ($rows) instead of inline: "
    'mutation Load($rows: [JSON!]!) { upsertEntities(type: "Customer", records: $rows) '
    '{ __typename } } with {"variables": {"rows": [...]}}.'
)


def _with_hint(error: GraphQLSyntaxError) -> GraphQLSyntaxError:
    """A document over the token limit is refused saying how to send its data instead."""
    too_long = error.message.startswith(f"Syntax Error: {_TOO_MANY_TOKENS}")
    if not too_long or error.source is None or not error.positions:
        return error
    description = f"{_TOO_MANY_TOKENS} Parsing aborted. {TOKENS_HINT}"
    return GraphQLSyntaxError(error.source, next(iter(error.positions)), description)


def _pick(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        raise BadOperation("the document holds no operation (only fragments)")
    if name is None:
        if len(operations) > 1:
            names = ", ".join(o.name.value if o.name else "(anonymous)" for o in operations[:10])
            raise BadOperation(
                "Must provide operation name if query contains multiple operations "
                f"(this document holds {names})"
            )
        return operations[0]
    for operation in operations:
        if operation.name is not None and operation.name.value == name:
            return operation
    raise BadOperation(f"Unknown operation named {name[:100]!r}: the document does not hold it")


class RunChosenOperation(SchemaExtension):
    """Hands strawberry the chosen operation's document instead of letting it parse and
    choose again: the request's context carries the :class:`Operation` the access check
    saw (any other caller of ``execute`` gets one chosen by the same function)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        chosen: Operation | None = getattr(context.context, "operation", None)
        if chosen is None:
            # Before parsing, strawberry's operation_name is the one the caller gave.
            chosen = select_operation(context.query or "", context.operation_name)
        context.graphql_document = chosen.document
        yield
