"""A report request's own inputs, and the condition language, refuse clearly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from graph_crm.errors import GraphCrmError
from graph_crm.impact.conditions import describe, holds, parse_condition
from graph_crm.impact.report_inputs import MAX_LIMIT, check_delay, check_limit, parse_as_of


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


def test_conditions() -> None:
    either = parse_condition(
        {"anyOf": [{"complaints": {"gte": 3}}, {"exposure": {"gt": 1e6}}], "breach": {"eq": True}},
        ("when",),
    )
    assert holds(either, {"complaints": 3, "exposure": 0, "breach": True})
    assert holds(either, {"complaints": 0, "exposure": 2e6, "breach": True})
    assert not holds(either, {"complaints": 9, "exposure": 0, "breach": False})
    assert describe(either) == "breach = true and (complaints >= 3 or exposure > 1000000)"
    missing = parse_condition({"bufferDays": {"isNull": True}}, ("when",))
    assert holds(missing, {"bufferDays": None})
    assert not holds(missing, {"bufferDays": 2.0})
    tiers = parse_condition({"tier": {"in": ["T1", "T2"]}}, ("when",))
    assert holds(tiers, {"tier": "T2"})
    assert not holds(tiers, {"tier": "T3"})
    # a comparison on a missing signal is false, whatever the operator
    for op in ("lt", "gte", "ne"):
        assert not holds(parse_condition({"gapDays": {op: 0}}, ("w",)), {"gapDays": None})


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ([], ("when",)),
        ({"gapDays": 3}, ("when", "gapDays")),
        ({"gapDays": {}}, ("when", "gapDays")),
        ({"gapDays": {"gte": "3"}}, ("when", "gapDays", "gte")),
        ({"tier": {"gt": "T1"}}, ("when", "tier", "gt")),
        ({"breach": {"eq": 1}}, ("when", "breach", "eq")),
        ({"complaints": {"in": []}}, ("when", "complaints", "in")),
        ({"anyOf": []}, ("when", "anyOf")),
        ({"exposure": {"isNull": "yes"}}, ("when", "exposure", "isNull")),
    ],
)
def test_bad_conditions(raw: Any, path: tuple[Any, ...]) -> None:
    with pytest.raises(GraphCrmError) as caught:
        parse_condition(raw, ("when",))
    assert caught.value.path == path
