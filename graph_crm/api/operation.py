"""Which operation of a GraphQL document runs: chosen once, here, for everyone.

The access check, the size checks and the executor all use the :class:`Operation`
this module returns. The executor is handed a document holding that operation and
the fragments it spreads, and nothing else, so it has no choice left to make: what
was checked is what runs.

The shape of the operation (root fields, depth, aliases, field selections once every
fragment spread is expanded) is measured in one pass that visits each fragment once,
so a chain of fragments that spread each other twice costs linear time to measure,
and is refused by its expanded size before anything else walks it.

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
from typing import Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
)
from strawberry.extensions import SchemaExtension

from graph_crm.api.limits import MAX_TOKENS
from graph_crm.errors import GraphCrmError

#: Expanded counts are capped here while measuring, so no number grows without bound.
_CAP: Final = 1 << 40


class BadOperation(GraphCrmError):
    """The request does not name exactly one operation of its document (HTTP 400)."""

    code = "BAD_REQUEST"


@dataclass(frozen=True, slots=True)
class Shape:
    """What a selection set holds once its fragment spreads are expanded."""

    depth: int = 0
    #: Depth not counting what is selected inside introspection fields (``__schema``...),
    #: which the schema bounds and the cost estimate prices.
    data_depth: int = 0
    aliases: int = 0
    selections: int = 0
    #: Its top-level field names (the operation's root fields), in document order.
    top_fields: tuple[str, ...] = ()
    #: Each response name (alias or field name) at its top level: how often it stands
    #: there, and the most :attr:`overlap` among the selections under it.
    top_names: tuple[tuple[str, int, int], ...] = ()
    #: A bound on the pairwise comparisons validation makes to check that fields of one
    #: response name can be merged (graphql-core's OverlappingFieldsCanBeMerged): for a
    #: selection set, the sum over its response names of count² × (1 + the overlap
    #: under them). Repeating a field k times at each of d levels costs k^(2d).
    overlap: int = 0


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
    # validation strawberry's ValidationCache then remembers.
    document = parse(query, max_tokens=MAX_TOKENS)
    operation = _pick(document, operation_name)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    shapes = _fragment_shapes(operation, fragments)
    shape = _shape(operation.selection_set, shapes)
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


def _spreads(selection_set: SelectionSetNode) -> Iterator[str]:
    """The fragment names spread anywhere inside ``selection_set`` (not into fragments)."""
    stack = [selection_set]
    while stack:
        for node in stack.pop().selections:
            if isinstance(node, FragmentSpreadNode):
                yield node.name.value
            elif isinstance(node, FieldNode | InlineFragmentNode) and node.selection_set:
                stack.append(node.selection_set)


def _fragment_shapes(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> dict[str, Shape]:
    """The shape of every fragment the operation reaches, each measured once, in an
    order where a fragment's spreads are measured before it (no recursion across
    fragments, so a 1,000-fragment chain is fine). A cycle (refused by validation
    later) measures as empty where it closes."""
    shapes: dict[str, Shape] = {}
    in_progress: set[str] = set()
    stack: list[tuple[str, bool]] = [(n, False) for n in _spreads(operation.selection_set)]
    while stack:
        name, children_done = stack.pop()
        if name in shapes or name not in fragments:
            continue
        if children_done:
            in_progress.discard(name)
            shapes[name] = _shape(fragments[name].selection_set, shapes)
            continue
        if name in in_progress:
            continue  # a cycle: measured as empty where it closes
        in_progress.add(name)
        stack.append((name, True))
        stack.extend((n, False) for n in _spreads(fragments[name].selection_set))
    return shapes


def _shape(selection_set: SelectionSetNode, fragments: dict[str, Shape]) -> Shape:
    depth = data_depth = aliases = selections = 0
    top: dict[str, None] = {}
    names: dict[str, tuple[int, int]] = {}  # response name -> (count, overlap under it)

    def count(response: str, times: int, overlap: int) -> None:
        before, under = names.get(response, (0, 0))
        names[response] = (min(before + times, _CAP), max(under, overlap))

    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            inner = Shape() if node.selection_set is None else _shape(node.selection_set, fragments)
            depth = max(depth, 1 + inner.depth)
            introspection = node.name.value.startswith("__")
            data_depth = max(data_depth, 1 + (0 if introspection else inner.data_depth))
            aliases += inner.aliases + (node.alias is not None)
            selections += 1 + inner.selections
            top[node.name.value] = None
            count((node.alias or node.name).value, 1, inner.overlap)
        else:
            if isinstance(node, InlineFragmentNode):
                inner = _shape(node.selection_set, fragments)
            else:
                assert isinstance(node, FragmentSpreadNode)
                inner = fragments.get(node.name.value, Shape())
            depth = max(depth, inner.depth)
            data_depth = max(data_depth, inner.data_depth)
            aliases += inner.aliases
            selections += inner.selections
            top.update(dict.fromkeys(inner.top_fields))
            for response, times, under in inner.top_names:
                count(response, times, under)
    overlap = sum(min(times * times * (1 + under), _CAP) for times, under in names.values())
    return Shape(
        depth,
        data_depth,
        min(aliases, _CAP),
        min(selections, _CAP),
        tuple(top),
        tuple((response, times, under) for response, (times, under) in names.items()),
        min(overlap, _CAP),
    )


class RunChosenOperation(SchemaExtension):
    """Hands strawberry the chosen operation's document instead of letting it parse and
    choose again: the request's context carries the :class:`Operation` the access check
    saw (any other caller of ``execute`` gets one chosen by the same function)."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        chosen: Operation | None = getattr(context.context, "operation", None)
        if chosen is None:
            chosen = select_operation(context.query or "", context._provided_operation_name)
        context.graphql_document = chosen.document
        yield
