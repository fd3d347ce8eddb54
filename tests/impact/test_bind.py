"""A filter's ``$asOf`` bound to a value compares as the same comparison in a formula:
a DATE is the start of its day, UTC (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from graph_crm.errors import InvalidInput
from graph_crm.impact.bind import bind_filter
from graph_crm.model.formula import Parameters, compile_formula, evaluate_formula
from graph_crm.model.query import Compare, Op, Parameter, check_filter, evaluate
from graph_crm.model.registry import Registry
from graph_crm.model.types import PropertyKind, parse_entity_type

K = PropertyKind
FORMULA_OP = {Op.LT: "<", Op.LTE: "<=", Op.GT: ">", Op.GTE: ">=", Op.EQ: "=", Op.NE: "!="}
AS_OFS = [
    datetime(2026, 3, 10, tzinfo=UTC),
    datetime(2026, 3, 10, 0, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 3, 10, 12, tzinfo=UTC),
    datetime(2026, 3, 10, 23, 59, 59, 999999, tzinfo=UTC),
]
DAYS = [date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11), None]


@pytest.mark.parametrize("op", [Op.LT, Op.LTE, Op.GT, Op.GTE])
def test_a_date_against_asof_is_the_start_of_its_day(op: Op) -> None:
    formula = compile_formula(f"on {FORMULA_OP[op]} $asOf", {"on": K.DATE}, "Order")
    for as_of in AS_OFS:
        bound = bind_filter(Compare("on", K.DATE, op, Parameter("asOf")), as_of, 0)
        assert bound is not None
        for day in DAYS:
            fields = {} if day is None else {"on": day}
            expected = evaluate_formula(formula, fields, Parameters(as_of=as_of))
            assert evaluate(bound, fields) == expected, (op, as_of, day)


@pytest.mark.parametrize("op", list(FORMULA_OP))
def test_a_datetime_against_asof_compares_the_instant(op: Op) -> None:
    formula = compile_formula(f"at {FORMULA_OP[op]} $asOf", {"at": K.DATETIME}, "Order")
    as_of = AS_OFS[2]
    bound = bind_filter(Compare("at", K.DATETIME, op, Parameter("asOf")), as_of, 0)
    assert bound is not None
    for moment in (as_of - timedelta(microseconds=1), as_of, as_of + timedelta(hours=1)):
        expected = evaluate_formula(formula, {"at": moment}, Parameters(as_of=as_of))
        assert evaluate(bound, {"at": moment}) == expected


def test_delaydays_is_the_reports_delay() -> None:
    flt = Compare("slack", K.INT, Op.LT, Parameter("delayDays"))
    assert bind_filter(flt, AS_OFS[0], 3.0) == Compare("slack", K.INT, Op.LT, 3)
    assert bind_filter(flt, AS_OFS[0], 2.5) == Compare("slack", K.INT, Op.LT, 2.5)


def test_outside_a_policy_asof_is_only_text() -> None:
    order = parse_entity_type(
        {"name": "Order", "properties": [{"name": "on", "kind": "DATE"},
                                         {"name": "note", "kind": "STRING"}]}
    )  # fmt: skip
    text = check_filter(order, {"note": {"eq": "$asOf"}}, registry=Registry())
    assert text == Compare("note", K.STRING, Op.EQ, "$asOf")
    with pytest.raises(InvalidInput):
        check_filter(order, {"on": {"lte": "$asOf"}}, registry=Registry())
    allowed = check_filter(order, {"on": {"lte": "$asOf"}}, registry=Registry(), parameters=True)
    assert allowed == Compare("on", K.DATE, Op.LTE, Parameter("asOf"))
