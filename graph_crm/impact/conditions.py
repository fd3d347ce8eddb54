"""The conditions of tier rules and response plans: small, typed, evaluated on facts.

A condition is what a config officer writes in a policy's ``when``: an object of
signal -> ``{op: value}`` whose entries must all hold, ``{"anyOf": [...]}`` for a
choice, and ``{}`` for "always". A comparison on a missing signal (no SLA, so no
buffer) is false; ``{"isNull": true}`` asks for it.

>>> cond = parse_condition({"gapDays": {"gte": 0}, "complaints": {"gt": 2}}, ("when",))
>>> holds(cond, {"gapDays": 1.5, "complaints": 3}), holds(cond, {"gapDays": None})
(True, False)
>>> describe(cond)
'gapDays >= 0 and complaints > 2'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graph_crm.errors import InvalidInput, PathPart

#: Signals a condition can read, and the type their values have.
NUMBER_SIGNALS: Final = (
    "delayDays",
    "bufferDays",
    "gapDays",
    "complaints",
    "exposure",
    "pathCount",
)
#: Signals known only once the score is: plans may use them, tier rules may not.
LATE_SIGNALS: Final = ("score", "tier")
_OPS: Final = {"eq": "=", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">=", "in": "in"}
MAX_CONDITION_DEPTH: Final = 4


@dataclass(frozen=True, slots=True)
class Test:
    signal: str
    op: str  # a key of _OPS, or "isNull"
    value: Any


@dataclass(frozen=True, slots=True)
class Condition:
    """All of ``tests`` and, when given, at least one of ``any_of``."""

    tests: tuple[Test, ...] = ()
    any_of: tuple[Condition, ...] | None = None

    @property
    def always(self) -> bool:
        return not self.tests and self.any_of is None


Facts = Mapping[str, Any]


def parse_condition(
    raw: Any, path: tuple[PathPart, ...], *, late: bool = True, depth: int = 0
) -> Condition:
    """Check a ``when`` object; ``late=False`` refuses ``score`` and ``tier`` (tier rules)."""
    if not isinstance(raw, dict):
        raise InvalidInput("a condition is a JSON object, e.g. {'gapDays': {'gte': 0}}", path=path)
    if depth > MAX_CONDITION_DEPTH:
        raise InvalidInput(f"conditions nest at most {MAX_CONDITION_DEPTH} deep", path=path)
    tests: list[Test] = []
    any_of = None
    for signal, ops in raw.items():
        at = (*path, signal)
        if signal == "anyOf":
            if not isinstance(ops, list) or not ops:
                raise InvalidInput("anyOf takes a non-empty list of conditions", path=at)
            any_of = tuple(
                parse_condition(item, (*at, i), late=late, depth=depth + 1)
                for i, item in enumerate(ops)
            )
            continue
        _check_signal(signal, late, at)
        if not isinstance(ops, dict) or not ops:
            raise InvalidInput(f"{signal} needs an object like {{'gte': 0}}", path=at)
        for op, value in ops.items():
            tests.append(_test(signal, op, value, (*at, op)))
    return Condition(tuple(tests), any_of)


def _check_signal(signal: Any, late: bool, at: tuple[PathPart, ...]) -> None:
    known = (*NUMBER_SIGNALS, "breach", *LATE_SIGNALS)
    if signal in LATE_SIGNALS and not late:
        raise InvalidInput(f"a tier rule cannot use {signal}: tiers come before the score", path=at)
    if signal not in known:
        raise InvalidInput(
            f"unknown signal {str(signal)[:40]!r}; one of: {', '.join(known)}", path=at
        )


def _test(signal: str, op: Any, value: Any, at: tuple[PathPart, ...]) -> Test:
    if op == "isNull":
        if not isinstance(value, bool):
            raise InvalidInput("isNull takes true or false", path=at)
        return Test(signal, op, value)
    if op not in _OPS:
        raise InvalidInput(
            f"unknown operator {str(op)[:20]!r}; one of: {', '.join(_OPS)}, isNull", path=at
        )
    values = value if op == "in" else [value]
    if op == "in" and (not isinstance(value, list) or not value):
        raise InvalidInput("in takes a non-empty list", path=at)
    for item in values:
        _check_value(signal, op, item, at)
    return Test(signal, op, tuple(values) if op == "in" else value)


def _check_value(signal: str, op: str, value: Any, at: tuple[PathPart, ...]) -> None:
    if signal == "tier" or signal == "breach":
        wanted: type = str if signal == "tier" else bool
        if op not in ("eq", "ne", "in") or not isinstance(value, wanted):
            kind = "a tier name" if signal == "tier" else "true or false"
            raise InvalidInput(f"{signal} compares with eq, ne or in against {kind}", path=at)
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"{signal} compares with a finite number", path=at)


def holds(condition: Condition, facts: Facts) -> bool:
    """Whether ``condition`` holds for ``facts`` (a missing or None signal fails tests)."""
    for test in condition.tests:
        if not _passes(test, facts.get(test.signal)):
            return False
    if condition.any_of is not None:
        return any(holds(choice, facts) for choice in condition.any_of)
    return True


def _passes(test: Test, actual: Any) -> bool:
    if test.op == "isNull":
        return (actual is None) is test.value
    if actual is None:
        return False
    match test.op:
        case "eq":
            return bool(actual == test.value)
        case "ne":
            return bool(actual != test.value)
        case "in":
            return actual in test.value
        case "lt":
            return bool(actual < test.value)
        case "lte":
            return bool(actual <= test.value)
        case "gt":
            return bool(actual > test.value)
        case _:
            return bool(actual >= test.value)


def describe(condition: Condition) -> str:
    """The condition in words, as a report shows the rule that fired."""
    if condition.always:
        return "otherwise"
    parts = [_describe_test(test) for test in condition.tests]
    if condition.any_of is not None:
        choices = " or ".join(describe(choice) for choice in condition.any_of)
        parts.append(f"({choices})" if len(condition.any_of) > 1 or parts else choices)
    return " and ".join(parts)


def _describe_test(test: Test) -> str:
    if test.op == "isNull":
        return f"no {test.signal}" if test.value else f"has {test.signal}"
    if test.op == "in":
        return f"{test.signal} in {', '.join(map(_literal, test.value))}"
    return f"{test.signal} {_OPS[test.op]} {_literal(test.value)}"


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
