"""Tier rules in words (impact/rule_words.py): every signal, every operator, any policy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph_crm.impact.conditions import NUMBER_SIGNALS, parse_condition
from graph_crm.impact.rule_words import in_words, values_in_words
from tests.examples import examples


def _words(raw: dict[str, Any], currency: str | None = None) -> str:
    return in_words(parse_condition(raw, ("when",)), currency=currency)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"gapDays": {"gte": 0}}, "the delay meets or exceeds the SLA buffer"),
        ({"gapDays": {"gt": 0}}, "the delay exceeds the SLA buffer"),
        ({"gapDays": {"lt": 0}}, "the delay falls short of the SLA buffer"),
        ({"gapDays": {"lte": 0}}, "the delay does not exceed the SLA buffer"),
        ({"gapDays": {"gte": -3}}, "the delay comes within 3 days of the SLA buffer or exceeds it"),
        ({"gapDays": {"lt": -1}}, "the delay falls more than 1 day short of the SLA buffer"),
        ({"gapDays": {"gte": 2.5}}, "the delay exceeds the SLA buffer by at least 2.5 days"),
        (
            {"gapDays": {"lte": 2}},
            "the delay exceeds the SLA buffer by at most 2 days or falls short of it",
        ),
        ({"gapDays": {"in": [0, 1]}}, "the delay minus the SLA buffer is 0 days or 1 day"),
        ({"bufferDays": {"lt": 2}}, "the SLA buffer is less than 2 days"),
        ({"bufferDays": {"isNull": True}}, "no SLA deadline was found"),
        ({"gapDays": {"isNull": False}}, "an SLA deadline was found"),
        ({"delayDays": {"gte": 5}}, "the delay is at least 5 days"),
        ({"complaints": {"gte": 2}}, "there are at least 2 complaints"),
        ({"complaints": {"eq": 1}}, "there is exactly 1 complaint"),
        ({"complaints": {"in": [1, 2]}}, "the number of complaints is 1 or 2"),
        ({"pathCount": {"gt": 3}}, "there are more than 3 paths"),
        ({"exposure": {"gte": 250000}}, "the exposure is at least 250k"),
        ({"breach": {"eq": True}}, "a breach is predicted"),
        ({"breach": {"ne": True}}, "no breach is predicted"),
        ({"score": {"gte": 0.8}}, "the score is at least 0.8"),
        ({"tier": {"in": ["T1", "T2", "T3"]}}, "the tier is T1, T2 or T3"),
        (
            {"gapDays": {"gte": 0}, "complaints": {"gte": 2}},
            "the delay meets or exceeds the SLA buffer and there are at least 2 complaints",
        ),
        (
            {"anyOf": [{"breach": {"eq": True}}, {"complaints": {"gt": 4}}]},
            "a breach is predicted or there are more than 4 complaints",
        ),
        (
            {"delayDays": {"gt": 1}, "anyOf": [{"gapDays": {"gte": 0}}, {"exposure": {"gt": 9}}]},
            "the delay is more than 1 day and either the delay meets or exceeds the SLA buffer "
            "or the exposure is more than 9",
        ),
        ({}, "in every other case"),
    ],
)
def test_rules_read_as_sentences(raw: dict[str, Any], words: str) -> None:
    assert _words(raw) == words


def test_amounts_carry_the_currency() -> None:
    assert _words({"exposure": {"gte": 1_250_000}}, "EUR") == "the exposure is at least EUR 1.25M"


_OPS = ["eq", "ne", "lt", "lte", "gt", "gte"]
_CONDITIONS = st.one_of(
    st.tuples(
        st.sampled_from(NUMBER_SIGNALS),
        st.sampled_from(_OPS),
        st.integers(-30, 30) | st.floats(-30, 30, allow_nan=False),
    ).map(lambda t: {t[0]: {t[1]: t[2]}}),
    st.tuples(st.sampled_from(NUMBER_SIGNALS), st.booleans()).map(
        lambda t: {t[0]: {"isNull": t[1]}}
    ),
    st.tuples(st.sampled_from(["eq", "ne"]), st.booleans()).map(lambda t: {"breach": {t[0]: t[1]}}),
)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(_CONDITIONS, min_size=1, max_size=3))
def test_any_rule_reads_without_jargon(conditions: list[dict[str, Any]]) -> None:
    raw: dict[str, Any] = {}
    for condition in conditions:
        raw.update(condition)
    if len(conditions) > 1:
        raw["anyOf"] = conditions[:2]
    words = _words(raw)
    assert not re.search(r"[a-z][A-Z]|>=|<=|!=|[<>=]", words), words  # no camelCase, no ops
    assert words
    assert words == words.strip()
    assert "  " not in words


def test_the_values_a_rule_saw_are_in_words_too() -> None:
    rule = parse_condition({"gapDays": {"gte": 0}, "complaints": {"gt": 1}}, ("when",))
    facts = {"delayDays": 6.0, "bufferDays": None, "gapDays": None, "complaints": 1}
    assert values_in_words(rule, facts) == "delay 6 days, no SLA deadline found, 1 complaint"
    money = parse_condition({"exposure": {"gt": 1}, "breach": {"eq": True}}, ("when",))
    assert (
        values_in_words(money, {"exposure": 412_300.0, "breach": False}, currency="CNY")
        == "exposure CNY 412k, no breach predicted"
    )
