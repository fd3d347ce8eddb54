"""The condition language of response plans and tiers (impact/conditions.py): parsed,
described in words, evaluated, and refused clearly on the right path."""

from __future__ import annotations

from typing import Any

import pytest

from graph_crm.errors import GraphCrmError
from graph_crm.impact.conditions import describe, holds, parse_condition


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
