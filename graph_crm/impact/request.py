"""What every backend checks before it evaluates an :class:`ImpactPlan` (pure, no IO).

A plan was resolved against the registry when it was made; the registry may have moved
since, so a backend checks it again (cheap) before any name reaches a query. The source
must be an entity of the plan's source type; ``as_of`` must be timezone-aware.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from graph_crm.errors import InvalidInput, PathPart, UnknownProperty
from graph_crm.impact.plan import (
    MAX_ROLLUP_HOPS,
    MAX_STEPS,
    Complaints,
    ImpactPlan,
    LinkedProperty,
    StepProperty,
)
from graph_crm.model.query import SYSTEM_FIELDS, All, AnyOf, Compare, Filter, Not, Related
from graph_crm.model.records import parse_global_id
from graph_crm.model.registry import Registry
from graph_crm.model.traversal import Direction
from graph_crm.model.types import PropertyKind, RelationType

_DATE_KINDS = (PropertyKind.DATE, PropertyKind.DATETIME)
_NUMBER_KINDS = (PropertyKind.INT, PropertyKind.FLOAT)


@dataclass(frozen=True, slots=True)
class ImpactRequest:
    """A checked request: the source's type and key, and ``as_of`` in UTC."""

    source_type: str
    source_key: str
    as_of: datetime
    #: Inclusive bounds a complaint's date must lie in (dates for a DATE property).
    window: tuple[date | datetime, date | datetime] | None


def check_request(
    registry: Registry, plan: ImpactPlan, source: str, as_of: datetime
) -> ImpactRequest:
    """Check the plan against ``registry`` and the request's own inputs."""
    if not isinstance(as_of, datetime) or as_of.tzinfo is None or as_of.utcoffset() is None:
        raise InvalidInput("asOf needs a time zone, e.g. 2026-11-23T09:30:00Z", path=("asOf",))
    type_name, key = parse_global_id(source, ("source",))
    check_plan(registry, plan)
    if type_name != plan.source_type:
        raise InvalidInput(
            f"{source[:120]} is a {type_name}, but policy {plan.policy!r} starts at a "
            f"{plan.source_type}",
            path=("source",),
        )
    utc = as_of.astimezone(UTC)
    window = None if plan.complaints is None else complaint_window(plan.complaints, utc)
    return ImpactRequest(type_name, key, utc, window)


def complaint_window(
    complaints: Complaints, as_of: datetime
) -> tuple[date | datetime, date | datetime]:
    """``[as_of - window_days, as_of]``; for a DATE, the dates whose midnight (UTC) is in it.

    >>> spec = Complaints("FILED", Direction.OUT, "Complaint", "on", PropertyKind.DATE, 2)
    >>> complaint_window(spec, datetime(2026, 3, 10, 12, tzinfo=UTC))
    (datetime.date(2026, 3, 9), datetime.date(2026, 3, 10))
    """
    start = as_of - timedelta(days=complaints.window_days)
    if complaints.kind is PropertyKind.DATETIME:
        return start, as_of
    first = start.date() if start.time() == time(0) else start.date() + timedelta(days=1)
    return first, as_of.date()


def as_deadline(value: date | datetime) -> datetime:
    """A deadline as a UTC datetime: a DATE counts from midnight UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time(0), tzinfo=UTC)


def exposure_total(amounts: Iterable[float | int | None]) -> float:
    """The exposure over distinct entities (missing amounts count 0), in any order.

    Integers add exactly; floats add with :func:`math.fsum`, correctly rounded, so every
    backend gets the same total whatever order its entities come in.

    >>> exposure_total([0.1] * 10), exposure_total([2**60, 1, None])
    (1.0, 1.152921504606847e+18)
    """
    present = [amount for amount in amounts if amount is not None]
    if all(isinstance(amount, int) for amount in present):
        return float(sum(present))
    return math.fsum(present)


def filter_fields(flt: Filter | None) -> Iterator[str]:
    """Every field a filter compares, its relation quantifiers' filters included."""
    if flt is None:
        return
    if isinstance(flt, Compare):
        yield flt.field
    elif isinstance(flt, All | AnyOf):
        for child in flt.filters:
            yield from filter_fields(child)
    elif isinstance(flt, Not | Related):
        yield from filter_fields(flt.filter)


def plan_fields(plan: ImpactPlan) -> frozenset[str]:
    """Every entity field evaluating ``plan`` reads."""
    names: set[str] = set()
    for step in plan.steps:
        names.update(filter_fields(step.where))
    for signal in (plan.sla, plan.exposure):
        if signal is not None:
            names.add(signal.property)
    if isinstance(plan.sla, LinkedProperty):
        names.update(filter_fields(plan.sla.where))
    if plan.complaints is not None:
        names.add(plan.complaints.date_property)
        names.update(filter_fields(plan.complaints.where))
    return frozenset(names)


# -- the plan, checked again against the current registry ---------------------------------


def _far_type(
    relation: RelationType, direction: Direction, near: str, at: tuple[PathPart, ...]
) -> str:
    if direction is Direction.OUT and relation.from_type == near:
        return relation.to_type
    if direction is Direction.IN and relation.to_type == near:
        return relation.from_type
    raise InvalidInput(
        f"{relation.name} goes from {relation.from_type} to {relation.to_type}: it cannot be "
        f"followed {direction.value} from a {near}",
        path=at,
    )


def _hop(
    registry: Registry,
    relation: str,
    direction: Direction,
    near: str,
    far: str,
    at: tuple[PathPart, ...],
) -> None:
    lands = _far_type(registry.relation_type(relation), direction, near, at)
    if lands != far:
        raise InvalidInput(f"{relation} {direction.value} lands on {lands}, not {far}", path=at)


def _property(
    registry: Registry,
    type_name: str,
    name: str,
    kind: PropertyKind,
    kinds: tuple[PropertyKind, ...],
    at: tuple[PathPart, ...],
) -> None:
    spec = registry.entity_type(type_name).spec(name)
    if spec is None or name in SYSTEM_FIELDS:
        raise UnknownProperty(f"{type_name} has no property {name!r}", path=at)
    if spec.kind is not kind or kind not in kinds:
        wanted = " or ".join(kinds)
        raise InvalidInput(
            f"{type_name}.{name} is a {spec.kind}; the plan wants a {kind} ({wanted})", path=at
        )


def check_plan(registry: Registry, plan: ImpactPlan) -> None:
    """Raise unless every name in ``plan`` still means what the plan says it does."""
    if not 1 <= len(plan.steps) <= MAX_STEPS:
        raise InvalidInput(f"a plan has 1 to {MAX_STEPS} steps", path=("steps",))
    types = [registry.entity_type(plan.source_type).name]
    for index, step in enumerate(plan.steps):
        _hop(
            registry, step.relation, step.direction, types[-1], step.landing_type, ("steps", index)
        )
        types.append(step.landing_type)
    if plan.rollup is not None:
        rollup = plan.rollup
        if not 0 <= rollup.max_hops <= MAX_ROLLUP_HOPS:
            raise InvalidInput(f"a roll-up climbs 0 to {MAX_ROLLUP_HOPS} hops", path=("rollup",))
        _hop(registry, rollup.relation, rollup.direction, types[-1], types[-1], ("rollup",))
    if types[-1] != plan.target_type:
        raise InvalidInput(
            f"the steps end at {types[-1]}, not at the target type {plan.target_type}",
            path=("targetType",),
        )
    _check_signals(registry, plan, types)


def _check_signals(registry: Registry, plan: ImpactPlan, types: list[str]) -> None:
    signals: list[tuple[str, StepProperty | LinkedProperty | None, tuple[PropertyKind, ...]]] = [
        ("sla", plan.sla, _DATE_KINDS),
        ("exposure", plan.exposure, _NUMBER_KINDS),
    ]
    for name, signal, kinds in signals:
        if isinstance(signal, StepProperty):
            if not 0 <= signal.step < len(types):
                raise InvalidInput(f"there is no step {signal.step}", path=(name, "step"))
            far, at = types[signal.step], (name, "property")
            _property(registry, far, signal.property, signal.kind, kinds, at)
        elif isinstance(signal, LinkedProperty):
            _linked(registry, plan.target_type, signal, (name,))
            far, at = signal.far_type, (name, "property")
            _property(registry, far, signal.property, signal.kind, kinds, at)
    if plan.complaints is not None:
        complaints = plan.complaints
        _linked(registry, plan.target_type, complaints, ("complaints",))
        _property(
            registry,
            complaints.far_type,
            complaints.date_property,
            complaints.kind,
            _DATE_KINDS,
            ("complaints", "dateProperty"),
        )
        if complaints.window_days < 0:
            raise InvalidInput("a complaint window is not negative", path=("complaints",))


def _linked(
    registry: Registry,
    target: str,
    linked: LinkedProperty | Complaints,
    at: tuple[PathPart, ...],
) -> None:
    _hop(registry, linked.relation, linked.direction, target, linked.far_type, at)
