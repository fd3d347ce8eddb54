"""A plan's ``$asOf`` and ``$delayDays`` given a report's values (pure).

A filter's parameters are replaced by values (a backend then evaluates the filter as any
other); a formula keeps them, and is evaluated with the :class:`Parameters` the request
carries. A DATE compared with ``$asOf`` is the start of its day, UTC, as in formulas, so
it is compared with a date: ``orderDate <= 2026-03-10T12:00Z`` is ``orderDate <=
2026-03-10``, ``orderDate < 2026-03-10T12:00Z`` is ``orderDate <= 2026-03-10``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time
from typing import Any, TypeVar

from graph_crm.errors import InvalidInput
from graph_crm.impact.plan import Complaints, ImpactPlan, LinkedProperty, PlanStep
from graph_crm.model.formula import Formula, Parameters
from graph_crm.model.query import All, AnyOf, Compare, Filter, Not, Op, Parameter, Related
from graph_crm.model.types import PropertyKind

_Part = TypeVar("_Part", PlanStep, LinkedProperty, Complaints)


def bind_filter(flt: Filter | None, as_of: datetime, delay_days: float) -> Filter | None:
    """``flt`` with each :class:`Parameter` replaced by its value.

    >>> from graph_crm.model.types import PropertyKind as K
    >>> as_of = datetime(2026, 3, 10, 12, tzinfo=UTC)
    >>> bind_filter(Compare("on", K.DATE, Op.LT, Parameter("asOf")), as_of, 0)
    Compare(field='on', kind=<PropertyKind.DATE: 'DATE'>, op=<Op.LTE: 'lte'>, \
value=datetime.date(2026, 3, 10))
    """
    if flt is None:
        return None
    if isinstance(flt, Compare):
        if isinstance(flt.value, Parameter):
            return _bound(flt, as_of.astimezone(UTC), delay_days)
        return flt
    if isinstance(flt, All | AnyOf):
        return type(flt)(tuple(_bind(child, as_of, delay_days) for child in flt.filters))
    if isinstance(flt, Not):
        return Not(_bind(flt.filter, as_of, delay_days))
    return replace(flt, filter=bind_filter(flt.filter, as_of, delay_days))


def _bind(flt: Filter, as_of: datetime, delay_days: float) -> Filter:
    bound = bind_filter(flt, as_of, delay_days)
    assert bound is not None
    return bound


def _bound(flt: Compare, as_of: datetime, delay_days: float) -> Compare:
    assert isinstance(flt.value, Parameter)
    if flt.value.name == "delayDays":
        value: Any = delay_days
        if flt.kind is PropertyKind.INT and float(delay_days).is_integer():
            value = int(delay_days)
        return replace(flt, value=value)
    if flt.kind is not PropertyKind.DATE:
        return replace(flt, value=as_of)
    day = as_of.date()
    starts_day = as_of.time() == time(0)
    if flt.op is Op.LT and not starts_day:  # the day's start is before asOf
        return replace(flt, op=Op.LTE, value=day)
    if flt.op is Op.GTE and not starts_day:
        return replace(flt, op=Op.GT, value=day)
    return replace(flt, value=day)  # lte, gt; eq and ne are refused at definition


def bind_plan(plan: ImpactPlan, as_of: datetime, delay_days: float) -> ImpactPlan:
    """``plan`` with its filters' parameters bound (formulas keep theirs)."""

    def bound(part: _Part) -> _Part:
        if part.where is None:
            return part
        return replace(part, where=bind_filter(part.where, as_of, delay_days))

    return replace(
        plan,
        steps=tuple(bound(step) for step in plan.steps),
        sla=bound(plan.sla) if isinstance(plan.sla, LinkedProperty) else plan.sla,
        complaints=None if plan.complaints is None else bound(plan.complaints),
    )


def plan_parameters(plan: ImpactPlan) -> frozenset[str]:
    """The parameters ``plan``'s filters and formulas use (``asOf``, ``delayDays``)."""
    used: set[str] = set()
    for formula, flt in _conditions(plan):
        if formula is not None:
            used.update(formula.parameters)
        used.update(_filter_parameters(flt))
    return frozenset(used)


def formula_parameters(plan: ImpactPlan, as_of: datetime, delay_days: float) -> Parameters:
    """What the plan's formulas are evaluated with; a formula that reads ``$delayDays``
    (an INT) needs a whole number of days."""
    whole = float(delay_days).is_integer()
    if not whole and any(
        formula is not None and "delayDays" in formula.parameters
        for formula, _ in _conditions(plan)
    ):
        raise InvalidInput(
            f"this policy's conditions read $delayDays, a whole number of days; "
            f"{delay_days:g} is not one",
            path=("delayDays",),
        )
    return Parameters(as_of=as_of.astimezone(UTC), delay_days=int(delay_days) if whole else None)


def _conditions(plan: ImpactPlan) -> list[tuple[Formula | None, Filter | None]]:
    parts: list[PlanStep | LinkedProperty | Complaints] = list(plan.steps)
    if isinstance(plan.sla, LinkedProperty):
        parts.append(plan.sla)
    if plan.complaints is not None:
        parts.append(plan.complaints)
    return [(part.condition, part.where) for part in parts]


def _filter_parameters(flt: Filter | None) -> set[str]:
    if flt is None:
        return set()
    if isinstance(flt, Compare):
        return {flt.value.name} if isinstance(flt.value, Parameter) else set()
    if isinstance(flt, All | AnyOf):
        return {name for child in flt.filters for name in _filter_parameters(child)}
    if isinstance(flt, Not | Related):
        return _filter_parameters(flt.filter)
    return set()  # pragma: no cover
