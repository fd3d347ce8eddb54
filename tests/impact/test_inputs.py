"""A report request's own inputs (impact/inputs.py: delay, as-of, limit) refuse clearly:
the brief's examples, the boundaries, inputs that once escaped as Python errors (an offset
pushing year 1 off the calendar, an int too large for a float), and hypothesis checks that
any input either parses or is refused with a GraphCrmError on the right path.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_crm.errors import GraphCrmError
from graph_crm.impact.report_inputs import (
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


@pytest.mark.parametrize(
    "value", [-1, -0.001, 365.5, float("nan"), float("inf"), "abc", True, None]
)
def test_bad_delays(value: Any) -> None:
    with pytest.raises(GraphCrmError) as caught:
        check_delay(value)
    assert caught.value.path == ("delayDays",)


def test_good_delays() -> None:
    assert [check_delay(v) for v in (0, 6, "2.5", 365)] == [0.0, 6.0, 2.5, 365.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", datetime(2026, 11, 23, tzinfo=UTC)),
        ("2026-11-23T09:00:00Z", datetime(2026, 11, 23, 9, tzinfo=UTC)),
        ("2026-11-23T14:30:00+05:30", datetime(2026, 11, 23, 9, tzinfo=UTC)),
        (date(2026, 1, 2), datetime(2026, 1, 2, tzinfo=UTC)),
        (
            datetime(2026, 1, 2, 3, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2026, 1, 2, 8, tzinfo=UTC),
        ),
    ],
)
def test_as_of_accepted(text: Any, expected: datetime) -> None:
    assert parse_as_of(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-23T09:00:00",
        "23/11/2026",
        "tomorrow",
        "",
        "2" * 10_000,
        "1800-01-01",
        "3000-01-01T00:00:00Z",
        datetime(2026, 1, 1),
        12345,
    ],
)
def test_as_of_refused(text: Any) -> None:
    with pytest.raises(GraphCrmError) as caught:
        parse_as_of(text)
    assert caught.value.path == ("asOf",)
    assert len(caught.value.message) < 200


def test_as_of_defaults_to_now() -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    assert parse_as_of(None, now=now) == now


@pytest.mark.parametrize("value", [0, -1, MAX_LIMIT + 1, 1.5, "10", True])
def test_bad_limits(value: Any) -> None:
    with pytest.raises(GraphCrmError):
        check_limit(value)
