"""Every path, the slow way: the reference the bounded traversal search is tested against.

Two entity types and three relation types are enough for paths that come back on
themselves (``LINKS`` both ways, ``PARENT_OF`` repeated, ``BACK`` to where ``LINKS``
came from); an entity's global id is ``"<Type>:<key>"``, as in the stores.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graph_crm.model.query import Compare, Op
from graph_crm.model.registry import Registry
from graph_crm.model.search_graph import DictGraph
from graph_crm.model.traversal import Direction, Hop, Path, PlannedStep, TraversalPlan
from graph_crm.model.traversal_moves import reach_depth, state_cap
from graph_crm.model.types import parse_entity_type, parse_relation_type

ENTITY_TYPES: list[dict[str, Any]] = [
    {"name": "Alpha", "properties": [{"name": "n", "kind": "INT"}]},
    {"name": "Beta", "properties": [{"name": "n", "kind": "INT"}]},
]
RELATION_TYPES: list[dict[str, Any]] = [
    {"name": "LINKS", "from": "Alpha", "to": "Beta"},
    {"name": "BACK", "from": "Beta", "to": "Alpha"},
    {"name": "PARENT_OF", "from": "Alpha", "to": "Alpha"},
]
REGISTRY = Registry.from_definitions(
    1,
    [parse_entity_type(t) for t in ENTITY_TYPES],
    [parse_relation_type(r) for r in RELATION_TYPES],
)
#: Each relation's (from, to) entity types.
ENDS = {r["name"]: (r["from"], r["to"]) for r in RELATION_TYPES}


def passes(step: PlannedStep, node: str) -> bool:
    """The only filter the random plans use: ``{"key": {"in": [...]}}``."""
    assert isinstance(step.where, Compare)
    assert step.where.op is Op.IN
    assert step.where.field == "key"
    return node.split(":", 1)[1] in step.where.value


def dict_graph(edges: Sequence[tuple[str, str, str]]) -> DictGraph:
    """``edges``: (relation, from id, to id)."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for relation, source, target in edges:
        grouped.setdefault((source, relation), []).append(target)
    return DictGraph(grouped, passes)


@dataclass(frozen=True)
class Partial:
    nodes: tuple[str, ...]
    hops: tuple[Hop, ...]
    step: int
    hops_in_step: int

    def path(self) -> Path:
        return Path(self.nodes, self.hops)


def partial_paths(plan: TraversalPlan, start: Sequence[str], graph: DictGraph) -> Iterator[Partial]:
    """Every node-simple partial path of the plan within its depth, starts included."""
    steps = plan.steps

    def extend(partial: Partial) -> Iterator[Partial]:
        yield partial
        if len(partial.hops) >= plan.max_depth:
            return
        moves = []
        if partial.step >= 0 and partial.hops_in_step < steps[partial.step].max_hops:
            moves.append((partial.step, partial.hops_in_step + 1))
        if partial.step + 1 < len(steps) and (
            partial.step < 0 or partial.hops_in_step >= steps[partial.step].min_hops
        ):
            moves.append((partial.step + 1, 1))
        for index, hops in moves:
            step = steps[index]
            for far, direction in graph.neighbors(
                partial.nodes[-1], step.relation.name, step.direction
            ):
                if far in partial.nodes or (step.where is not None and not passes(step, far)):
                    continue
                hop = Hop(step.relation.name, Direction(direction))
                yield from extend(Partial((*partial.nodes, far), (*partial.hops, hop), index, hops))

    for node in sorted(set(start)):
        yield from extend(Partial((node,), (), -1, 0))


def complete(plan: TraversalPlan, partial: Partial) -> bool:
    last = len(plan.steps) - 1
    return partial.step == last and partial.hops_in_step >= plan.steps[last].min_hops


@dataclass(frozen=True)
class Answer:
    #: (target id, distance, its first paths), nearest first, then by id.
    targets: list[tuple[str, int, list[Path]]]
    truncated: bool


def exact_answer(plan: TraversalPlan, start: Sequence[str], graph: DictGraph) -> Answer:
    """What enumerating every complete path says the traversal should answer."""
    by_target: dict[str, set[Path]] = {}
    for partial in partial_paths(plan, start, graph):
        if complete(plan, partial):
            by_target.setdefault(partial.nodes[-1], set()).add(partial.path())
    order = sorted(by_target, key=lambda t: (min(p.length for p in by_target[t]), t))
    targets = [
        (
            target,
            min(p.length for p in by_target[target]),
            sorted(by_target[target], key=Path.sort_key)[: plan.paths_per_target],
        )
        for target in order[: plan.limit]
    ]
    return Answer(targets, len(order) > plan.limit)


def every_path(plan: TraversalPlan, start: Sequence[str], graph: DictGraph) -> set[Path]:
    return {p.path() for p in partial_paths(plan, start, graph) if complete(plan, p)}


def never_pruned(plan: TraversalPlan, start: Sequence[str], graph: DictGraph) -> bool:
    """Whether no (start, entity, step, hops) state at any depth is reached by more partial
    paths than its cap (counting only those that can still complete in time)."""
    deepest = reach_depth(plan)
    mins = [step.min_hops for step in plan.steps]
    counts: dict[tuple[int, str, str, int, int], set[Path]] = {}
    for partial in partial_paths(plan, start, graph):
        depth = len(partial.hops)
        if depth == 0:
            continue
        still = max(0, mins[partial.step] - partial.hops_in_step) + sum(mins[partial.step + 1 :])
        if depth + still > deepest:
            continue
        key = (depth, partial.nodes[0], partial.nodes[-1], partial.step, partial.hops_in_step)
        counts.setdefault(key, set()).add(partial.path())
    return all(len(paths) <= state_cap(plan, key[0]) for key, paths in counts.items())


def random_edges(
    rng: random.Random, keys: dict[str, list[str]], density: float
) -> list[tuple[str, str, str]]:
    """(relation, from id, to id): each possible edge of each relation type with
    probability ``density``."""
    return [
        (relation, f"{source_type}:{source}", f"{target_type}:{target}")
        for relation, (source_type, target_type) in sorted(ENDS.items())
        for source in keys[source_type]
        for target in keys[target_type]
        if rng.random() < density
    ]


def random_steps(rng: random.Random, keys: dict[str, list[str]], start_type: str) -> list[Any]:
    """A valid chain of 1-4 steps from ``start_type``: any relation and direction that
    fits, repeats on PARENT_OF, now and then a filter on keys."""
    current = {start_type}
    steps: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 4)):
        moves = [
            (relation, direction, lands)
            for relation, (source_type, target_type) in sorted(ENDS.items())
            for direction in Direction
            if (
                lands := (
                    (
                        {target_type}
                        if direction is not Direction.IN and source_type in current
                        else set()
                    )
                    | (
                        {source_type}
                        if direction is not Direction.OUT and target_type in current
                        else set()
                    )
                )
            )
        ]
        relation, direction, lands = rng.choice(moves)
        step: dict[str, Any] = {"relation": relation, "direction": direction.value}
        if relation == "PARENT_OF" and rng.random() < 0.5:
            step["minHops"] = rng.randint(1, 2)
            step["maxHops"] = rng.randint(step["minHops"], 3)
        if rng.random() < 0.3:
            landing = [k for t in sorted(lands) for k in keys[t]]
            step["where"] = {"key": {"in": rng.sample(landing, max(1, len(landing) * 2 // 3))}}
        steps.append(step)
        current = lands
    return steps
