"""Traversals: a chain of typed steps from start entities, checked against the registry.

A step follows one relation type in a direction (OUT, IN or BOTH), lands on
entities that pass its optional filter, and may repeat (``min_hops``..``max_hops``,
only for a relation from a type to itself, e.g. subsidiary -> parent). Paths never
visit an entity twice. ``max_depth`` caps the total number of hops.

The result is the entities at the end of complete paths, nearest first: ordered by
the length of their shortest path, then by id; the first ``limit`` of them, with
``truncated`` set when there are more. Each comes with its ``paths_per_target``
shortest paths, in :meth:`Path.sort_key` order (length, then entity ids, hop
directions and relations).

Evaluation (:mod:`graph_crm.model.traversal_search`, the same rules on every backend)
is breadth-first by depth. Of the partial paths from one start that reach one
(entity, step, hops into the step) state at one depth, it keeps the first
``paths_per_target`` plus one per hop still possible (the state's cap, in
:meth:`Path.sort_key` order) and, for each entity inside those, the first
``paths_per_target`` that avoid it (at the last depth, the first alone). It
stops once the first ``limit`` targets have all their paths and one more target is
known, and refuses (``LIMIT_EXCEEDED``) a traversal that would expand more relation
edges than the caller's edge budget: never a silent partial answer. So work and
memory grow with the limit, the paths per target and the edges expanded, never with
the number of paths, which grows exponentially with depth.

What this guarantees, compared with enumerating every path:

* every path returned is a complete, node-simple path of the plan within
  ``max_depth``; targets come nearest first then by id, each with its paths in order;
  ``truncated`` is true only if more targets exist;
* the answer is exactly the enumeration's (targets, order, paths, ``truncated``)
  when no walk of the plan can land on a type an earlier position holds (as in
  customer -> subsidiary -> buyer -> chat log -> competitor): then which partial paths
  were dropped cannot matter; and whenever no state is reached by more partial paths
  of one length than its cap;
* otherwise a target or path can be missed where a state had more partial paths than
  it keeps and the way on runs into entities of every kept one. The kept ones are
  chosen so that running into any one entity of the first ones still leaves enough
  (a path back the way it came, shipment -> customer -> that customer's other
  shipments, is found). On small dense random graphs that needed pruning, about one
  answer in fifty differed from the enumeration (tests/model/test_traversal_search.py);
  exactness in every case would take work exponential in the depth.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from graph_crm.errors import InvalidInput, LimitExceeded, PathPart
from graph_crm.model.direction import Direction as Direction  # its public home was here
from graph_crm.model.graph import Entity
from graph_crm.model.query import Filter, check_filter
from graph_crm.model.registry import Registry
from graph_crm.model.types import RelationType

MAX_DEPTH: Final = 12
MAX_STEPS: Final = 12
MAX_REACHED: Final = 10_000
MAX_PATHS_PER_TARGET: Final = 20


@dataclass(frozen=True)
class Step:
    relation: str
    direction: Direction = Direction.OUT
    where: Any = None
    min_hops: int = 1
    max_hops: int | None = 1


@dataclass(frozen=True)
class PlannedStep:
    """A step checked against the registry, with concrete bounds."""

    relation: RelationType
    direction: Direction
    where: Filter | None
    min_hops: int
    max_hops: int
    #: Entity types this step may land on.
    lands_on: frozenset[str]


@dataclass(frozen=True)
class TraversalPlan:
    start: tuple[str, ...]
    steps: tuple[PlannedStep, ...]
    max_depth: int
    limit: int
    paths_per_target: int
    start_types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Hop:
    relation: str
    direction: Direction


@dataclass(frozen=True)
class Path:
    """Entity ids along the way, and the relation hop between each pair."""

    entity_ids: tuple[str, ...]
    hops: tuple[Hop, ...]

    @property
    def length(self) -> int:
        return len(self.hops)

    def sort_key(self) -> tuple[int, tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """Shorter first, then by entity ids, hop directions and relations."""
        return (
            len(self.hops),
            self.entity_ids,
            tuple(hop.direction.value for hop in self.hops),
            tuple(hop.relation for hop in self.hops),
        )


@dataclass(frozen=True)
class Traversal:
    #: Nearest first (shortest path length), then by id.
    reached: list[Entity]
    #: Up to ``paths_per_target`` shortest paths for each reached entity, by its id.
    paths: dict[str, list[Path]]
    #: More entities than ``limit`` are reachable.
    truncated: bool


def _as_step(raw: Step | Mapping[str, Any], path: tuple[PathPart, ...]) -> Step:
    if isinstance(raw, Step):
        return raw
    if not isinstance(raw, Mapping):
        raise InvalidInput("a step is an object with a relation and a direction", path=path)
    unknown = set(raw) - {"relation", "direction", "where", "minHops", "maxHops"}
    if unknown:
        raise InvalidInput(
            f"unknown step field(s): {', '.join(sorted(map(str, unknown)))}", path=path
        )
    try:
        direction = Direction(str(raw.get("direction", "OUT")).upper())
    except ValueError:
        raise InvalidInput("direction is OUT, IN or BOTH", path=(*path, "direction")) from None
    return Step(
        relation=raw.get("relation"),  # type: ignore[arg-type]  # checked by plan_traversal
        direction=direction,
        where=raw.get("where"),
        min_hops=raw.get("minHops", 1),
        max_hops=raw.get("maxHops", 1),
    )


def _bounded_int(value: Any, low: int, high: int, what: str, path: tuple[PathPart, ...]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(f"{what} must be an integer from {low} to {high}", path=path)
    return value


def plan_traversal(
    registry: Registry,
    start_types: set[str],
    steps: Sequence[Step | Mapping[str, Any]],
    *,
    max_depth: int | None = None,
    limit: int = 1_000,
    paths_per_target: int = 3,
    start: Sequence[str] = (),
) -> TraversalPlan:
    """Check a chain of steps from entities of ``start_types``.

    >>> from graph_crm.model.types import parse_entity_type, parse_relation_type
    >>> from datetime import datetime, UTC
    >>> r = Registry()
    >>> now = datetime.now(UTC)
    >>> r, _ = r.define_entity_type(parse_entity_type({"name": "Customer"}), actor="t", at=now)
    >>> r, _ = r.define_entity_type(parse_entity_type({"name": "Buyer"}), actor="t", at=now)
    >>> rel = parse_relation_type({"name": "BUYS_FOR", "from": "Buyer", "to": "Customer"})
    >>> r, _ = r.define_relation_type(rel, actor="t", at=now)
    >>> plan = plan_traversal(r, {"Customer"}, [{"relation": "BUYS_FOR", "direction": "IN"}])
    >>> sorted(plan.steps[0].lands_on)
    ['Buyer']
    """
    if isinstance(steps, str | Mapping) or not isinstance(steps, Sequence):
        raise InvalidInput("steps must be a list", path=("steps",))
    if not steps:
        raise InvalidInput("a traversal needs at least one step", path=("steps",))
    if len(steps) > MAX_STEPS:
        raise LimitExceeded(f"a traversal has at most {MAX_STEPS} steps", path=("steps",))
    depth_cap = (
        MAX_DEPTH
        if max_depth is None
        else _bounded_int(max_depth, 1, MAX_DEPTH, "maxDepth", ("maxDepth",))
    )
    limit = _bounded_int(limit, 1, MAX_REACHED, "limit", ("limit",))
    paths_per_target = _bounded_int(
        paths_per_target, 1, MAX_PATHS_PER_TARGET, "pathsPerTarget", ("pathsPerTarget",)
    )
    current = frozenset(start_types)
    planned: list[PlannedStep] = []
    min_total = 0
    for index, raw in enumerate(steps):
        path: tuple[PathPart, ...] = ("steps", index)
        step = _as_step(raw, path)
        if not isinstance(step.relation, str):
            raise InvalidInput("a step needs a relation type", path=(*path, "relation"))
        relation = registry.relation_type(step.relation)
        min_hops = _bounded_int(step.min_hops, 1, MAX_DEPTH, "minHops", (*path, "minHops"))
        max_hops = (
            depth_cap
            if step.max_hops is None
            else _bounded_int(step.max_hops, min_hops, MAX_DEPTH, "maxHops", (*path, "maxHops"))
        )
        if max_hops > 1 and relation.from_type != relation.to_type:
            raise InvalidInput(
                f"step {index}: only a relation from a type to itself can repeat; "
                f"{relation.name} goes from {relation.from_type} to {relation.to_type}",
                path=(*path, "maxHops"),
            )
        lands_on = _landing(relation, step.direction, current)
        if not lands_on:
            raise InvalidInput(
                f"step {index}: {relation.name} goes from {relation.from_type} to "
                f"{relation.to_type}, but the path is at {', '.join(sorted(current))} "
                f"(direction {step.direction.value})",
                path=(*path, "relation"),
            )
        where: Filter | None = None
        if step.where is not None:
            for type_name in sorted(lands_on):
                where = check_filter(
                    registry.entity_type(type_name),
                    step.where,
                    (*path, "where"),
                    registry=registry,
                )
        planned.append(PlannedStep(relation, step.direction, where, min_hops, max_hops, lands_on))
        min_total += min_hops
        current = lands_on
    if min_total > depth_cap:
        raise InvalidInput(
            f"the steps need at least {min_total} hops, more than maxDepth {depth_cap}",
            path=("maxDepth",),
        )
    return TraversalPlan(
        tuple(start), tuple(planned), depth_cap, limit, paths_per_target, frozenset(start_types)
    )


def _landing(
    relation: RelationType, direction: Direction, current: frozenset[str]
) -> frozenset[str]:
    lands: set[str] = set()
    if direction in (Direction.OUT, Direction.BOTH) and relation.from_type in current:
        lands.add(relation.to_type)
    if direction in (Direction.IN, Direction.BOTH) and relation.to_type in current:
        lands.add(relation.from_type)
    return frozenset(lands)
