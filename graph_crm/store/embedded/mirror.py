"""The in-memory networkx mirror of the embedded store, and traversal over it.

SQLite is the truth; the mirror holds only structure (entity row id -> global id,
typed edges) and is rebuilt from SQLite whenever it may disagree: at open, after a
failed update, and when another process has written (the store's generation moved).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import networkx as nx

from graph_crm.model.query import Filter, Related, evaluate, quantify
from graph_crm.model.traversal import Direction, PlannedStep, TraversalPlan
from graph_crm.model.traversal_search import Found, search

FieldLoader = Callable[[Iterable[int]], Mapping[int, Mapping[str, Any]]]


class Mirror:
    def __init__(self, generation: int) -> None:
        self.graph: nx.MultiDiGraph[int] = nx.MultiDiGraph()
        self.generation = generation
        #: Edges held, kept as they change: networkx counts them by walking every node.
        self.edges = 0

    @classmethod
    def load(cls, conn: sqlite3.Connection, generation: int) -> Mirror:
        mirror = cls(generation)
        graph = mirror.graph
        graph.add_nodes_from(
            (row_id, {"id": f"{type_name}:{key}"})
            for row_id, type_name, key in conn.execute("SELECT id, type, key FROM entities")
        )
        graph.add_edges_from(
            (from_id, to_id, rel_type)
            for rel_type, from_id, to_id in conn.execute(
                "SELECT type, from_id, to_id FROM relations"
            )
        )
        mirror.edges = graph.number_of_edges()
        return mirror

    @property
    def entities(self) -> int:
        """Entities held (one node each)."""
        return len(self.graph)

    def add_entities(self, rows: Iterable[tuple[int, str]]) -> None:
        self.graph.add_nodes_from((row_id, {"id": gid}) for row_id, gid in rows)

    def remove_entities(self, row_ids: Iterable[int]) -> None:
        graph = self.graph
        present = [row_id for row_id in row_ids if row_id in graph]
        # their edges go with them; an edge between two of them, or a loop, counts once
        gone = {
            edge
            for row_id in present
            for edge in (*graph.out_edges(row_id, keys=True), *graph.in_edges(row_id, keys=True))
        }
        graph.remove_nodes_from(present)
        self.edges -= len(gone)

    def add_edges(self, edges: Iterable[tuple[int, int, str]]) -> None:
        for from_id, to_id, rel_type in edges:
            if not self.graph.has_edge(from_id, to_id, key=rel_type):
                self.graph.add_edge(from_id, to_id, key=rel_type)
                self.edges += 1

    def remove_edges(self, edges: Iterable[tuple[int, int, str]]) -> None:
        for from_id, to_id, rel_type in edges:
            if self.graph.has_edge(from_id, to_id, key=rel_type):
                self.graph.remove_edge(from_id, to_id, key=rel_type)
                self.edges -= 1

    def gid(self, row_id: int) -> str:
        return str(self.graph.nodes[row_id]["id"])

    # -- traversal ---------------------------------------------------------------------

    def neighbors(self, node: int, relation: str, direction: Direction) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        graph = self.graph
        if direction in (Direction.OUT, Direction.BOTH):
            for target, keys in graph.succ[node].items():
                if relation in keys:
                    found.append((target, "OUT"))
        if direction in (Direction.IN, Direction.BOTH):
            for source, keys in graph.pred[node].items():
                if relation in keys:
                    found.append((source, "IN"))
        return found

    def matching(self, flt: Filter, rows: set[int], load_fields: FieldLoader) -> set[int]:
        """The entity rows among ``rows`` that pass ``flt`` (relation quantifiers too).

        Each (part of the filter, entity) is evaluated once per call: a chain of nested
        quantifiers costs the relations of each level once, not the fan-out to the power
        of the depth (as the SQL and Cypher sets of the stores' other filters do).
        """
        fields: dict[int, Mapping[str, Any]] = dict(load_fields(rows))
        known: dict[tuple[int, int], bool | None] = {}

        def value(part: Filter, row: int) -> bool | None:
            key = (id(part), row)
            if key not in known:
                known[key] = evaluate(part, fields.get(row, {}), lambda r: holds(r, row))
            return known[key]

        def holds(related: Related, row: int) -> bool:
            ends = [n for n, _ in self.neighbors(row, related.relation, related.direction)]
            inner = related.filter
            if inner is None:
                return quantify(related, (True for _ in ends))
            missing = [n for n in ends if n not in fields]
            if missing:
                # one read for all of a node's far ends, not one per end
                fields.update(load_fields(missing))
            return quantify(related, (value(inner, far) for far in ends))

        return {row for row in rows if value(flt, row) is True}

    def traverse(
        self,
        plan: TraversalPlan,
        start: list[int],
        load_fields: FieldLoader,
        *,
        edge_budget: int | None = None,
        tick: Callable[[], None] | None = None,
    ) -> Found:
        """Evaluate ``plan`` from the ``start`` rows (bounded: see the search module)."""
        return search(
            plan, start, _MirrorGraph(self, load_fields), edge_budget=edge_budget, tick=tick
        )


class _MirrorGraph:
    """The mirror as the traversal search sees it: row ids, their global ids, filters."""

    def __init__(self, mirror: Mirror, load_fields: FieldLoader) -> None:
        self._mirror = mirror
        self._load_fields = load_fields

    def neighbors(self, node: int, relation: str, direction: Direction) -> list[tuple[int, str]]:
        return self._mirror.neighbors(node, relation, direction)

    def gid(self, node: int) -> str:
        return self._mirror.gid(node)

    def passing(self, step: PlannedStep, nodes: set[int]) -> set[int]:
        assert step.where is not None
        return self._mirror.matching(step.where, nodes, self._load_fields)
