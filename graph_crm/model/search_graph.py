"""The graph a traversal search walks (:mod:`.traversal_search`), and one held in dicts.

The embedded store's mirror is one; :class:`DictGraph`, plain data, serves examples,
tests and benchmarks.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

from graph_crm.model.traversal import Direction, PlannedStep

N = TypeVar("N", bound=Hashable)


class SearchGraph(Protocol[N]):
    def neighbors(self, node: N, relation: str, direction: Direction) -> Iterable[tuple[N, str]]:
        """The far ends of ``node``'s ``relation`` edges, each with the hop's direction
        (``"OUT"`` or ``"IN"``; both for ``BOTH``)."""

    def gid(self, node: N) -> str:
        """The global id of ``node``: paths are ordered by these."""

    def passing(self, step: PlannedStep, nodes: set[N]) -> set[N]:
        """The nodes among ``nodes`` that pass ``step.where`` (not None)."""


class DictGraph:
    """A :class:`SearchGraph` over plain data: ``edges`` maps (node, relation) to the
    nodes it points to; ``passes`` says whether a node passes a step's filter (None:
    every node does). A node's global id is the node itself.

    >>> graph = DictGraph({("a", "R"): ["b", "c"]})
    >>> graph.neighbors("b", "R", Direction.BOTH)
    [('a', 'IN')]
    """

    def __init__(
        self,
        edges: Mapping[tuple[str, str], Sequence[str]],
        passes: Callable[[PlannedStep, str], bool] | None = None,
    ) -> None:
        self._out: dict[tuple[str, str], list[str]] = {}
        self._in: dict[tuple[str, str], list[str]] = {}
        for (node, relation), ends in edges.items():
            for end in ends:
                self._out.setdefault((node, relation), []).append(end)
                self._in.setdefault((end, relation), []).append(node)
        self._passes = passes

    def neighbors(self, node: str, relation: str, direction: Direction) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        if direction in (Direction.OUT, Direction.BOTH):
            found += [(end, "OUT") for end in self._out.get((node, relation), [])]
        if direction in (Direction.IN, Direction.BOTH):
            found += [(end, "IN") for end in self._in.get((node, relation), [])]
        return found

    def gid(self, node: str) -> str:
        return node

    def passing(self, step: PlannedStep, nodes: set[str]) -> set[str]:
        passes = self._passes
        return set(nodes) if passes is None else {node for node in nodes if passes(step, node)}
