"""Traversals: a chain of typed steps from start entities, checked against the registry.

A step follows one relation type in a direction (OUT, IN or BOTH), lands on
entities that pass its optional filter, and may repeat (``min_hops``..``max_hops``,
only for a relation from a type to itself, e.g. subsidiary -> parent). Paths never
visit an entity twice. ``max_depth`` caps the total number of hops. The result is
every distinct entity at the end of a complete path, with the shortest paths to it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from graph_crm.errors import InvalidInput, LimitExceeded, PathPart
from graph_crm.model.graph import Entity
from graph_crm.model.query import Filter, check_filter
from graph_crm.model.registry import Registry
from graph_crm.model.types import RelationType

MAX_DEPTH: Final = 12
MAX_STEPS: Final = 12
MAX_REACHED: Final = 10_000
MAX_PATHS_PER_TARGET: Final = 20


class Direction(StrEnum):
    OUT = "OUT"
    IN = "IN"
    BOTH = "BOTH"


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

    def sort_key(self) -> tuple[int, tuple[str, ...]]:
        return (len(self.hops), self.entity_ids)


@dataclass(frozen=True)
class Traversal:
    reached: list[Entity]
    #: Up to ``paths_per_target`` shortest paths for each reached entity, by its id.
    paths: dict[str, list[Path]]
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
    return TraversalPlan(tuple(start), tuple(planned), depth_cap, limit, paths_per_target)


def _landing(
    relation: RelationType, direction: Direction, current: frozenset[str]
) -> frozenset[str]:
    lands: set[str] = set()
    if direction in (Direction.OUT, Direction.BOTH) and relation.from_type in current:
        lands.add(relation.to_type)
    if direction in (Direction.IN, Direction.BOTH) and relation.to_type in current:
        lands.add(relation.from_type)
    return frozenset(lands)


def select_paths(
    paths: Sequence[Path], per_target: int, limit: int
) -> tuple[list[str], dict[str, list[Path]], bool]:
    """Group complete paths by their end: reached ids (sorted), shortest paths, truncated."""
    by_target: dict[str, list[Path]] = {}
    for path in paths:
        by_target.setdefault(path.entity_ids[-1], []).append(path)
    reached = sorted(by_target)
    truncated = len(reached) > limit
    reached = reached[:limit]
    chosen = {
        target: sorted(by_target[target], key=Path.sort_key)[:per_target] for target in reached
    }
    return reached, chosen, truncated
