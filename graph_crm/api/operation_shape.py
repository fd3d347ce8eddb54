"""The shape of an operation once every fragment spread is expanded, measured in one
pass that visits each fragment once: a chain of fragments that spread each other twice
costs linear time to measure, and can be refused by its expanded size before anything
else walks it.

>>> from graphql import parse
>>> query = parse("query { a { ...F } } fragment F on A { b c: d }")
>>> operation, fragment = query.definitions
>>> shapes = fragment_shapes(operation, {"F": fragment})
>>> shape = measure(operation.selection_set, shapes)
>>> shape.top_fields, shape.depth, shape.aliases, shape.selections
(('a',), 2, 1, 3)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

#: Expanded counts are capped here while measuring, so no number grows without bound.
_CAP: Final = 1 << 40


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


def _spreads(selection_set: SelectionSetNode) -> Iterator[str]:
    """The fragment names spread anywhere inside ``selection_set`` (not into fragments)."""
    stack = [selection_set]
    while stack:
        for node in stack.pop().selections:
            if isinstance(node, FragmentSpreadNode):
                yield node.name.value
            elif isinstance(node, FieldNode | InlineFragmentNode) and node.selection_set:
                stack.append(node.selection_set)


def fragment_shapes(
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
            shapes[name] = measure(fragments[name].selection_set, shapes)
            continue
        if name in in_progress:
            continue  # a cycle: measured as empty where it closes
        in_progress.add(name)
        stack.append((name, True))
        stack.extend((n, False) for n in _spreads(fragments[name].selection_set))
    return shapes


def measure(selection_set: SelectionSetNode, fragments: dict[str, Shape]) -> Shape:
    depth = data_depth = aliases = selections = 0
    top: dict[str, None] = {}
    names: dict[str, tuple[int, int]] = {}  # response name -> (count, overlap under it)

    def count(response: str, times: int, overlap: int) -> None:
        before, under = names.get(response, (0, 0))
        names[response] = (min(before + times, _CAP), max(under, overlap))

    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            inner = (
                Shape() if node.selection_set is None else measure(node.selection_set, fragments)
            )
            depth = max(depth, 1 + inner.depth)
            introspection = node.name.value.startswith("__")
            data_depth = max(data_depth, 1 + (0 if introspection else inner.data_depth))
            aliases += inner.aliases + (node.alias is not None)
            selections += 1 + inner.selections
            top[node.name.value] = None
            count((node.alias or node.name).value, 1, inner.overlap)
        else:
            if isinstance(node, InlineFragmentNode):
                inner = measure(node.selection_set, fragments)
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
