"""The reference evaluator: a formula's value over one entity's properties (pure).

Every backend's compiled form must give exactly these values (docs/formulas.md):
null propagates through operators and functions (``coalesce``, ``IS NULL``, ``AND`` /
``OR`` as three-valued logic, ``if`` / ``CASE`` taking an unknown condition as false
excepted); ``/`` divides as floats and gives null for a zero divisor; ``round`` rounds
the shortest decimal form of a float half away from zero; dates are UTC, a DATE read as
the start of its day where it meets a DATETIME. Results outside 64-bit integers, non-
finite floats, dates outside years 1-9999 and strings longer than a STRING value fail
with :class:`EvaluationFailed`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any, Final

from graph_crm.model.formula.check import _Checker
from graph_crm.model.formula.formula import Formula
from graph_crm.model.formula.nodes import Binary, Call, Case, Expr, IsNull, Literal, Param, Ref
from graph_crm.model.formula.problems import EvaluationFailed
from graph_crm.model.types import PropertyKind
from graph_crm.model.values import INT_MAX, INT_MIN, MAX_STRING_LENGTH

_DAY_US: Final = 86_400_000_000
#: Enough digits for any float's integer part and ten decimals (floats reach 1.8e308).
_ROUNDING: Final = Context(prec=400, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Parameters:
    """What a formula may use besides the entity: a report's as-of time and delay, and the
    clock's time for ``now()`` (passed in: the pure core reads no clock)."""

    as_of: datetime | None = None
    delay_days: int | None = None
    now: datetime | None = None


#: No parameters given: a formula that uses one fails to evaluate.
NO_PARAMETERS: Final = Parameters()


def evaluate_formula(
    formula: Formula, values: Mapping[str, Any], parameters: Parameters = NO_PARAMETERS
) -> Any:
    """``formula``'s value for an entity whose canonical property values are ``values``.

    >>> from graph_crm.model.formula.formula import compile_formula
    >>> line = compile_formula("round(unitPrice * quantity * (1 - discount), 2)",
    ...     {"unitPrice": PropertyKind.FLOAT, "quantity": PropertyKind.INT,
    ...      "discount": PropertyKind.FLOAT}, "OrderLine")
    >>> evaluate_formula(line, {"unitPrice": 9.99, "quantity": 3, "discount": 0.125})
    26.22
    >>> evaluate_formula(line, {"unitPrice": 9.99, "quantity": 3}) is None
    True
    """
    value = _Evaluator(formula, values, parameters).value(formula.tree)
    return _as_kind(formula.kind, value)


def _as_kind(kind: PropertyKind | None, value: Any) -> Any:
    if kind is PropertyKind.FLOAT and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _moment(value: date | datetime) -> datetime:
    """A DATETIME, or a DATE as the start of its day in UTC."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time(), tzinfo=UTC)


class _Evaluator:
    def __init__(self, formula: Formula, values: Mapping[str, Any], given: Parameters) -> None:
        self.formula = formula
        self.values = values
        self.given = given

    def kind(self, node: Expr) -> PropertyKind | None:
        known = self.formula.node_kinds
        key = id(node)
        if key not in known:
            known[key] = _Checker(self.formula.kinds, self.formula.owner, ()).kind(node)
        return known[key]

    def value(self, node: Expr) -> Any:
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Ref):
            return self.values.get(node.name)
        if isinstance(node, Param):
            return self.parameter(node.name)
        if isinstance(node, IsNull):
            return (self.value(node.operand) is None) != node.negated
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, Case):
            for condition, result in node.whens:
                if self.value(condition) is True:
                    return _as_kind(self.kind(node), self.value(result))
            chosen = None if node.otherwise is None else self.value(node.otherwise)
            return _as_kind(self.kind(node), chosen)
        operand = self.value(node.operand)
        if operand is None:
            return None
        return (not operand) if node.op == "NOT" else _integer(-operand)

    def parameter(self, name: str) -> Any:
        value = self.given.as_of if name == "asOf" else self.given.delay_days
        if value is None:
            raise EvaluationFailed(f"this formula uses ${name}, which is not given here")
        return value

    def binary(self, node: Binary) -> Any:
        op = node.op
        left = self.value(node.left)
        if op in ("AND", "OR"):
            decisive = op == "OR"  # True decides OR, False decides AND
            if left is decisive:
                return decisive
            right = self.value(node.right)
            if right is decisive:
                return decisive
            return None if left is None or right is None else not decisive
        right = self.value(node.right)
        if left is None or right is None:
            return None
        match op:
            case "+":
                return _number(left + right)
            case "-":
                return _number(left - right)
            case "*":
                return _number(left * right)
            case "/":
                return None if right == 0 else _number(float(left) / float(right))
            case "||":
                return _text(left + right)
        if isinstance(left, date) and isinstance(right, date):
            left, right = _moment(left), _moment(right)
        match op:
            case "=":
                return left == right
            case "!=":
                return left != right
            case "<":
                return left < right
            case "<=":
                return left <= right
            case ">":
                return left > right
        return left >= right

    def call(self, node: Call) -> Any:
        name = node.name
        if name == "if":
            condition = self.value(node.args[0])
            chosen = node.args[1] if condition is True else node.args[2]
            return _as_kind(self.kind(node), self.value(chosen))
        if name == "coalesce":
            for arg in node.args:
                value = self.value(arg)
                if value is not None:
                    return _as_kind(self.kind(node), value)
            return None
        if name == "now":
            if self.given.now is None:
                raise EvaluationFailed("this formula uses now(), which is not given here")
            return self.given.now
        args = [self.value(arg) for arg in node.args]
        if any(arg is None for arg in args):
            return None
        if name == "concat":
            return _text("".join(args))
        if name == "round":
            return _round(args[0], args[1] if len(args) == 2 else 0)
        if name == "days_between":
            return _days_between(args[0], args[1])
        return _add_days(args[0], args[1])


def _integer(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
        raise EvaluationFailed("an integer result does not fit in 64 bits")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise EvaluationFailed("a result is too large for a FLOAT")
    return _integer(value)


def _text(value: str) -> str:
    if len(value) > MAX_STRING_LENGTH:
        raise EvaluationFailed(f"a string result is longer than {MAX_STRING_LENGTH} characters")
    return value


def _round(value: int | float, digits: int) -> int | float:
    """Half away from zero, on the shortest decimal form (``repr``) of a float.

    >>> _round(2.5, 0), _round(-2.5, 0), _round(2.675, 2), _round(7, 2), _round(1e300, 10)
    (3.0, -3.0, 2.68, 7, 1e+300)
    """
    if isinstance(value, int):
        return value
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(quantum, context=_ROUNDING))


def _days_between(start: date, end: date) -> int:
    """Whole days from ``start`` to ``end``, truncated toward zero (negative if ``end``
    is earlier).

    >>> from datetime import date
    >>> _days_between(date(2026, 1, 31), date(2026, 3, 1))
    29
    """
    micro = (_moment(end) - _moment(start)) // timedelta(microseconds=1)
    days = abs(micro) // _DAY_US
    return days if micro >= 0 else -days


def _add_days(moment: date, days: int) -> date:
    try:
        return moment + timedelta(days=days)
    except (OverflowError, ValueError):
        raise EvaluationFailed("add_days gives a date outside years 1-9999") from None
