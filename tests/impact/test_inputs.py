"""Report inputs at their edges, and more of the condition language.

test_request_inputs.py has the brief's examples; these add the boundaries, inputs that
once escaped as Python errors (an offset pushing year 1 off the calendar, an int too
large for a float), and hypothesis checks that any input either parses or is refused
with a GraphCrmError on the right path.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_crm.errors import GraphCrmError
from graph_crm.impact.conditions import describe, holds, parse_condition
from graph_crm.impact.inputs import (
    DEFAULT_LIMIT,
    MAX_DELAY_DAYS,
    MAX_LIMIT,
    check_delay,
    check_limit,
    parse_as_of,
)
from tests.examples import examples


@pytest.mark.parametrize(
    "value",
    [10**400, "1e400", "-1e-9", "NaN", "inf", "", "6 days", [], {}, "x" * 10_000],
    ids=lambda value: repr(value)[:12],
)
def test_more_bad_delays(value: Any) -> None:
    with pytest.raises(GraphCrmError) as caught:
        check_delay(value)
    assert (caught.value.code, caught.value.path) == ("INVALID_INPUT", ("delayDays",))
    assert len(caught.value.message) < 120


def test_a_zero_delay_has_no_sign() -> None:
    for zero in (-0.0, "-0", "-0.0"):
        assert math.copysign(1.0, check_delay(zero)) == 1.0
    assert check_delay(MAX_DELAY_DAYS) == 365.0
    assert check_delay(" 6 ") == 6.0


@settings(max_examples=examples(200), deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**400), 10**400))
def test_a_delay_is_kept_or_refused(value: float | int) -> None:
    if not 0 <= value <= 365:  # NaN included
        with pytest.raises(GraphCrmError):
            check_delay(value)
    else:
        assert check_delay(value) == float(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23T09:00:00+05:30", datetime(2026, 11, 23, 3, 30, tzinfo=UTC)),
        ("2026-11-23T09:00:00-03:00", datetime(2026, 11, 23, 12, tzinfo=UTC)),
        ("2026-11-23T09:00Z", datetime(2026, 11, 23, 9, tzinfo=UTC)),
        ("2026-11-23 09:00:00+01:00", datetime(2026, 11, 23, 8, tzinfo=UTC)),
        ("  2026-11-23\n", datetime(2026, 11, 23, tzinfo=UTC)),
        ("1970-01-01", datetime(1970, 1, 1, tzinfo=UTC)),
        ("2199-12-31T23:59:59.999999Z", datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_as_of_edges_accepted(text: str, expected: datetime) -> None:
    moment = parse_as_of(text)
    assert moment == expected
    assert moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00+05:00",  # UTC is in year 0: off the calendar
        "9999-12-31T23:00:00-05:00",  # UTC is in year 10000
        "1969-12-31T23:59:59Z",
        "1970-01-01T00:00:00+01:00",
        "2200-01-01",
        "2026-02-29",
        "2026-11-23T24:00:00Z",
        "2026-11-23T09:00:00+25:00",
        "2026-11-23T09:00:00 UTC",
        "2" * 41,
    ],
)
def test_as_of_edges_refused(text: str) -> None:
    with pytest.raises(GraphCrmError) as caught:
        parse_as_of(text)
    assert (caught.value.code, caught.value.path) == ("INVALID_INPUT", ("asOf",))


offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))


@settings(max_examples=examples(200), deadline=None)
@given(st.datetimes(timezones=offsets))
def test_any_zoned_moment_parses_back_or_is_out_of_range(moment: datetime) -> None:
    text = moment.isoformat()
    if datetime(1970, 1, 1, tzinfo=UTC) <= moment < datetime(2200, 1, 1, tzinfo=UTC):
        assert parse_as_of(text) == moment
        assert parse_as_of(moment) == moment
    else:
        with pytest.raises(GraphCrmError):
            parse_as_of(text)


@settings(max_examples=examples(200), deadline=None)
@given(st.text(max_size=45))
def test_any_text_parses_or_is_refused_on_as_of(text: str) -> None:
    outcome: datetime | GraphCrmError
    try:
        outcome = parse_as_of(text)
    except GraphCrmError as error:
        outcome = error
    if isinstance(outcome, GraphCrmError):
        assert outcome.path == ("asOf",)
    else:
        assert outcome.tzinfo is UTC


@pytest.mark.parametrize("value", [1, DEFAULT_LIMIT, MAX_LIMIT])
def test_good_limits(value: int) -> None:
    assert check_limit(value) == value


@pytest.mark.parametrize("value", [None, 10**100, 2.0, [5]])
def test_more_bad_limits(value: Any) -> None:
    with pytest.raises(GraphCrmError) as caught:
        check_limit(value)
    assert caught.value.path == ("limit",)


def _when(raw: Any, *, late: bool = True) -> Any:
    return parse_condition(raw, ("when",), late=late)


def test_conditions_in_words() -> None:
    cases = {
        "otherwise": {},
        "complaints >= 3": {"anyOf": [{"complaints": {"gte": 3}}]},
        "(complaints >= 3 and exposure < 5 or pathCount != 2)": {
            "anyOf": [{"complaints": {"gte": 3}, "exposure": {"lt": 5}}, {"pathCount": {"ne": 2}}]
        },
        "has bufferDays and complaints in 1, 2.5 and gapDays <= -1.5": {
            "bufferDays": {"isNull": False},
            "complaints": {"in": [1, 2.5]},
            "gapDays": {"lte": -1.5},
        },
        "no bufferDays": {"bufferDays": {"isNull": True}},
        "breach != true and tier in T1, T2": {"breach": {"ne": True}, "tier": {"in": ["T1", "T2"]}},
        "delayDays > 2 and delayDays <= 6": {"delayDays": {"gt": 2.0, "lte": 6}},
    }
    for words, raw in cases.items():
        assert describe(_when(raw)) == words


def test_conditions_hold() -> None:
    facts = {"gapDays": -2.0, "bufferDays": 8.0, "breach": False, "complaints": 2, "tier": "T2"}
    assert holds(_when({}), {})
    assert holds(_when({"bufferDays": {"isNull": False}, "complaints": {"in": [1, 2]}}), facts)
    assert not holds(_when({"complaints": {"in": [3, 4]}}), facts)
    assert holds(_when({"gapDays": {"gte": -3, "lt": 0}}), facts)  # two ops: both must hold
    assert not holds(_when({"gapDays": {"gte": -3, "lt": -2}}), facts)
    assert holds(_when({"breach": {"ne": True}, "tier": {"eq": "T2"}}), facts)
    assert holds(_when({"anyOf": [{"tier": {"eq": "T1"}}, {"complaints": {"gte": 2}}]}), facts)
    assert not holds(_when({"anyOf": [{"tier": {"eq": "T1"}}, {"exposure": {"gte": 0}}]}), facts)
    # without an SLA no comparison holds, and isNull says so
    no_sla = {"gapDays": None, "bufferDays": None, "breach": False}
    assert not holds(_when({"anyOf": [{"gapDays": {"lt": 0}}, {"gapDays": {"gte": 0}}]}), no_sla)
    assert holds(_when({"gapDays": {"isNull": True}, "breach": {"eq": False}}), no_sla)


def _nested(depth: int) -> dict[str, Any]:
    condition: dict[str, Any] = {}
    for _ in range(depth):
        condition = {"anyOf": [condition]}
    return condition


def test_conditions_nest_four_deep_and_tiers_never_see_the_score() -> None:
    assert holds(_when(_nested(4)), {})
    with pytest.raises(GraphCrmError) as caught:
        _when(_nested(5))
    assert caught.value.path == ("when", *("anyOf", 0) * 5)
    for late in ("score", "tier"):
        with pytest.raises(GraphCrmError) as caught:
            _when({"anyOf": [{late: {"isNull": False}}]}, late=False)
        assert caught.value.path == ("when", "anyOf", 0, late)
