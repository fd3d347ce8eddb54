"""The reference evaluator: the values every backend must give, written out case by case."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from graph_crm.model.formula import (
    EvaluationFailed,
    Parameters,
    compile_formula,
    evaluate_formula,
    property_kinds,
)
from tests.model.formula_cases import ORDER, line_formula

AS_OF = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LINE: dict[str, Any] = {
    "unitPrice": 9.99,
    "quantity": 3,
    "discount": 0.125,
    "sku": "A-1",
    "status": "OPEN",
    "shippedOn": date(2026, 2, 27),
    "gift": False,
}


def value(text: str, values: dict[str, Any] | None = None, **given: Any) -> Any:
    return evaluate_formula(
        line_formula(text), LINE if values is None else values, Parameters(**given)
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("round(unitPrice * quantity * (1 - discount), 2)", 26.22),
        ("quantity + 2 * 3", 9),
        ("7 / 2", 3.5),
        ("-7 / 2", -3.5),
        ("quantity / 0", None),
        ("quantity / 0.0", None),
        ("if(gift, 1, 2.5)", 2.5),
        ("if(NOT gift, 1, 2.5)", 1.0),
        ("coalesce(discount, 0)", 0.125),
        ("sku || '/' || status", "A-1/OPEN"),
        ("concat(sku, '-', 'x')", "A-1-x"),
        ("round(2.5)", 3.0),
        ("round(-2.5)", -3.0),
        ("round(2.675, 2)", 2.68),
        ("round(1.005, 2)", 1.01),
        ("round(quantity, 2)", 3),
        ("round(1e300 * 1.5, 10)", 1.5e300),
        ("round(-0.000001, 2)", -0.0),
        ("round(0.1 + 0.2, 10)", 0.3),
        ("quantity = 3.0", True),
        ("'B' > 'A'", True),
        ("'é' > 'z'", True),
        ("CASE WHEN quantity > 5 THEN 'bulk' END", None),
        ("CASE WHEN quantity > 5 THEN 'bulk' WHEN quantity > 1 THEN 'some' ELSE 'one' END", "some"),
        ("days_between(shippedOn, add_days(shippedOn, 30))", 30),
        ("days_between(add_days(shippedOn, 30), shippedOn)", -30),
        ("add_days(shippedOn, 2)", date(2026, 3, 1)),
    ],
)
def test_values(text: str, expected: Any) -> None:
    result = value(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("quantity + 1", None),
        ("quantity = 1", None),
        ("NOT (quantity = 1)", None),
        ("quantity IS NULL", True),
        ("quantity IS NOT NULL", False),
        ("sku || 'x'", None),
        ("concat(sku, 'x')", None),
        ("coalesce(quantity, 4)", 4),
        ("coalesce(quantity, unitPrice)", None),
        ("round(unitPrice, 1)", None),
        ("days_between(shippedOn, shippedOn)", None),
        ("if(quantity > 1, 'yes', 'no')", "no"),
        ("CASE WHEN quantity > 1 THEN 'yes' ELSE 'no' END", "no"),
        ("quantity > 1 AND FALSE", False),
        ("quantity > 1 AND TRUE", None),
        ("quantity > 1 OR TRUE", True),
        ("quantity > 1 OR FALSE", None),
    ],
)
def test_null_propagates_except_where_the_docs_say(text: str, expected: Any) -> None:
    assert value(text, {}) == expected


def test_an_order_is_open_as_of_any_date_with_no_stored_status() -> None:
    kinds = property_kinds(ORDER)
    is_open = compile_formula(
        "orderDate <= $asOf AND (shippedDate IS NULL OR shippedDate > $asOf)", kinds, "Order"
    )
    order = {"orderDate": date(2026, 1, 10), "shippedDate": date(2026, 1, 20)}
    answers = [
        evaluate_formula(is_open, order, Parameters(as_of=datetime(2026, 1, day, 9, tzinfo=UTC)))
        for day in (9, 10, 19, 20, 21)
    ]
    # A DATE meets a DATETIME at the start of its day, UTC.
    assert answers == [False, True, True, False, False]
    assert evaluate_formula(is_open, {"orderDate": date(2026, 1, 10)}, Parameters(as_of=AS_OF))


def test_days_between_date_times_counts_whole_days_toward_zero() -> None:
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    kinds_text = "days_between({end}, $asOf)"
    assert value(kinds_text, {"end": start}, as_of=datetime(2026, 1, 3, 11, 59, tzinfo=UTC)) == 1
    assert value(kinds_text, {"end": start}, as_of=datetime(2025, 12, 30, 12, 1, tzinfo=UTC)) == -1
    assert value("days_between(shippedOn, $asOf)", as_of=AS_OF) == 2


def test_parameters_and_the_clock_are_passed_in() -> None:
    assert value("add_days(shippedOn, $delayDays)", delay_days=3) == date(2026, 3, 2)
    assert value("now()", now=AS_OF) == AS_OF
    with pytest.raises(EvaluationFailed, match=r"uses \$asOf, which is not given"):
        value("shippedOn < $asOf")
    with pytest.raises(EvaluationFailed, match="now"):
        value("now()")


@pytest.mark.parametrize(
    ("text", "values", "message"),
    [
        ("quantity * quantity", {"quantity": 2**62}, "does not fit in 64 bits"),
        ("-quantity", {"quantity": -(2**63)}, "does not fit in 64 bits"),
        ("unitPrice * unitPrice", {"unitPrice": 1e200}, "too large for a FLOAT"),
        ("add_days(shippedOn, 9999999)", {"shippedOn": date(2026, 1, 1)}, "outside years"),
        ("add_days(shippedOn, 999999999999)", {"shippedOn": date(2026, 1, 1)}, "outside years"),
        ("sku || sku", {"sku": "x" * 40_000}, "longer than 65536"),
    ],
)
def test_results_that_cannot_be_values_fail_clearly(
    text: str, values: dict[str, Any], message: str
) -> None:
    with pytest.raises(EvaluationFailed, match=message):
        value(text, values)
