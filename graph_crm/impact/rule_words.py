"""Tier rules in words, for the risk managers who read reports (pure).

A policy's rule is a formula over named quantities (``gapDays >= 0``); a report states it
as a sentence over what those quantities mean ("the delay meets or exceeds the SLA
buffer") and keeps the formula for its "why" details
(:func:`~graph_crm.impact.conditions.describe`).
Every comparison of every signal has a phrase, so this works for any policy.

>>> from graph_crm.impact.conditions import parse_condition
>>> in_words(parse_condition({"gapDays": {"gte": 0}}, ()))
'the delay meets or exceeds the SLA buffer'
>>> in_words(parse_condition({"gapDays": {"gte": -3}}, ()))
'the delay comes within 3 days of the SLA buffer or exceeds it'
>>> in_words(parse_condition({"exposure": {"gte": 250000}, "complaints": {"gt": 2}}, ()),
...          currency="CNY")
'the exposure is at least CNY 250k and there are more than 2 complaints'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from graph_crm.impact.conditions import Condition, Test
from graph_crm.impact.money import money, number

#: What each signal is, in words (the subject of a sentence).
QUANTITIES: Final = {
    "delayDays": "the delay",
    "bufferDays": "the SLA buffer",
    "gapDays": "the delay minus the SLA buffer",
    "complaints": "the number of complaints",
    "exposure": "the exposure",
    "pathCount": "the number of paths",
    "score": "the score",
    "tier": "the tier",
}
_IS: Final = {
    "eq": "is",
    "ne": "is not",
    "lt": "is less than",
    "lte": "is at most",
    "gt": "is more than",
    "gte": "is at least",
}
#: gapDays against 0: the delay compared with the buffer.
_GAP_ZERO: Final = {
    "eq": "equals",
    "ne": "differs from",
    "lt": "falls short of",
    "lte": "does not exceed",
    "gt": "exceeds",
    "gte": "meets or exceeds",
}
#: gapDays against a positive number of days: by how much the delay exceeds the buffer.
_GAP_OVER: Final = {
    "eq": "exceeds the SLA buffer by exactly {d}",
    "ne": "does not exceed the SLA buffer by exactly {d}",
    "lt": "exceeds the SLA buffer by less than {d} or falls short of it",
    "lte": "exceeds the SLA buffer by at most {d} or falls short of it",
    "gt": "exceeds the SLA buffer by more than {d}",
    "gte": "exceeds the SLA buffer by at least {d}",
}
#: gapDays against a negative number of days: how far short of the buffer the delay falls.
_GAP_SHORT: Final = {
    "eq": "falls exactly {d} short of the SLA buffer",
    "ne": "does not fall exactly {d} short of the SLA buffer",
    "lt": "falls more than {d} short of the SLA buffer",
    "lte": "falls at least {d} short of the SLA buffer",
    "gt": "comes within less than {d} of the SLA buffer or exceeds it",
    "gte": "comes within {d} of the SLA buffer or exceeds it",
}
_COUNTED: Final = {"complaints": ("complaint", "complaints"), "pathCount": ("path", "paths")}


def in_words(condition: Condition, *, currency: str | None = None) -> str:
    """``condition`` as a sentence; ``currency`` goes with exposure amounts."""
    if condition.always:
        return "in every other case"
    parts = [_test(test, currency) for test in condition.tests]
    if condition.any_of is not None:
        choices = [in_words(choice, currency=currency) for choice in condition.any_of]
        either = " or ".join(choices)
        parts.append(f"either {either}" if len(choices) > 1 and parts else either)
    return " and ".join(parts)


def days(value: float) -> str:
    """'1 day', '2.5 days'.

    >>> days(1), days(2.5), days(-3)
    ('1 day', '2.5 days', '-3 days')
    """
    return f"{number(value)} day{'' if abs(value) == 1 else 's'}"


def _test(test: Test, currency: str | None) -> str:
    signal, op, value = test.signal, test.op, test.value
    if op == "isNull":
        return _null(signal, bool(value))
    if signal == "breach":
        return _breach(op, value)
    if signal == "gapDays" and op != "in":
        return _gap(op, float(value))
    if signal in _COUNTED and op != "in":
        one, many = _COUNTED[signal]
        shown = number(value)
        noun = one if value == 1 else many
        return f"there {'is' if value == 1 else 'are'} {_bare(op)}{shown} {noun}"
    show = _shower(signal, currency)
    if op == "in":
        return f"{QUANTITIES[signal]} is {_choice([show(item) for item in value])}"
    return f"{QUANTITIES[signal]} {_IS[op]} {show(value)}"


def _shower(signal: str, currency: str | None) -> Callable[[Any], str]:
    if signal in ("delayDays", "bufferDays", "gapDays"):
        return days
    if signal == "exposure":
        return lambda value: money(value, currency)
    if signal == "tier":
        return str
    return number


def _bare(op: str) -> str:
    """'more than ', 'at least '... as in 'there are at least 2 complaints'."""
    return {"eq": "exactly ", "ne": "not exactly "}.get(op) or _IS[op].removeprefix("is ") + " "


def _gap(op: str, value: float) -> str:
    if value == 0:
        return f"the delay {_GAP_ZERO[op]} the SLA buffer"
    phrases = _GAP_OVER if value > 0 else _GAP_SHORT
    return "the delay " + phrases[op].format(d=days(abs(value)))


def _null(signal: str, null: bool) -> str:
    if signal in ("bufferDays", "gapDays"):
        return "no SLA deadline was found" if null else "an SLA deadline was found"
    subject = QUANTITIES.get(signal, "whether a breach is predicted")
    return f"{subject} is {'unknown' if null else 'known'}"


def _breach(op: str, value: Any) -> str:
    wanted = set(value) if op == "in" else {value}
    if op == "ne":
        wanted = {True, False} - wanted
    if wanted == {True, False}:
        return "a breach is or is not predicted"
    return "a breach is predicted" if True in wanted else "no breach is predicted"


def _choice(items: list[str]) -> str:
    """'A', 'A or B', 'A, B or C'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def values_in_words(
    condition: Condition, facts: Mapping[str, Any], *, currency: str | None = None
) -> str:
    """The values a rule saw, in words: 'delay 6 days, SLA buffer 3.7 days'.

    >>> from graph_crm.impact.conditions import parse_condition
    >>> rule = parse_condition({"gapDays": {"gte": 0}}, ())
    >>> values_in_words(rule, {"delayDays": 6, "bufferDays": 3.66, "gapDays": 2.34})
    'delay 6 days, SLA buffer 3.7 days'
    """
    shown: dict[str, str] = {}
    for signal in _signals(condition):
        for name in ("delayDays", "bufferDays") if signal == "gapDays" else (signal,):
            value = facts.get(name)
            if name == "bufferDays" and value is None:
                shown[name] = "no SLA deadline found"
            elif name == "breach":
                shown[name] = "breach predicted" if value else "no breach predicted"
            elif name in _COUNTED and value is not None:
                one, many = _COUNTED[name]
                shown[name] = f"{number(value)} {one if value == 1 else many}"
            elif value is not None:
                label = QUANTITIES[name].removeprefix("the ")
                shown[name] = f"{label} {_shower(name, currency)(value)}"
    return ", ".join(shown.values())


def _signals(condition: Condition) -> list[str]:
    found = [test.signal for test in condition.tests]
    for choice in condition.any_of or ():
        found += _signals(choice)
    return list(dict.fromkeys(found))
