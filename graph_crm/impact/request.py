"""A report request as every backend evaluates it (pure, no IO).

:func:`check_request` checks the plan again (:mod:`~graph_crm.impact.plan_check`) and the
request's own inputs: the source must be an entity of the plan's source type, ``as_of``
timezone-aware. The helpers below are what every evaluator must compute the same way
(deadlines, complaint windows, exposure totals, the fields a plan reads).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from graph_crm.errors import InvalidInput
from graph_crm.impact.bind import bind_plan, formula_parameters
from graph_crm.impact.plan import Complaints, ImpactPlan, LinkedProperty, PlanStep
from graph_crm.impact.plan_check import check_plan
from graph_crm.model.formula import Parameters
from graph_crm.model.query import All, AnyOf, Compare, Filter, Not, Related
from graph_crm.model.records import parse_global_id
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind


@dataclass(frozen=True, slots=True)
class ImpactRequest:
    """A checked request: the source's type and key, and ``as_of`` in UTC."""

    source_type: str
    source_key: str
    as_of: datetime
    #: Inclusive bounds a complaint's date must lie in (dates for a DATE property).
    window: tuple[date | datetime, date | datetime] | None
    #: The plan to evaluate: its filters' ``$asOf`` and ``$delayDays`` bound to values.
    plan: ImpactPlan
    #: What its formulas (``where`` given as text) are evaluated with.
    parameters: Parameters


def check_request(
    registry: Registry,
    plan: ImpactPlan,
    source: str,
    as_of: datetime,
    delay_days: float = 0.0,
) -> ImpactRequest:
    """Check the plan against ``registry`` and the request's own inputs, and bind its
    ``$asOf`` and ``$delayDays`` (:mod:`.bind`)."""
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
    parameters = formula_parameters(plan, utc, delay_days)
    return ImpactRequest(type_name, key, utc, window, bind_plan(plan, utc, delay_days), parameters)


def complaint_window(
    complaints: Complaints, as_of: datetime
) -> tuple[date | datetime, date | datetime]:
    """``[as_of - window_days, as_of]``; for a DATE, the dates whose midnight (UTC) is in it.

    >>> from graph_crm.model.traversal import Direction
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
    wheres: list[PlanStep | LinkedProperty | Complaints] = list(plan.steps)
    for signal in (plan.sla, plan.exposure):
        if signal is not None:
            names.add(signal.property)
    if isinstance(plan.sla, LinkedProperty):
        wheres.append(plan.sla)
    if plan.complaints is not None:
        names.add(plan.complaints.date_property)
        wheres.append(plan.complaints)
    for part in wheres:
        names.update(filter_fields(part.where))
        if part.condition is not None:
            names.update(part.condition.references)
    return frozenset(names)
