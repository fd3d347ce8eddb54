"""check_links' plain-key fast path and the link batch's audit ids give exactly what the
long way gives: the same keys, the same refusals at the same paths, the same ids."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_crm.errors import InvalidInput, Issue
from graph_crm.model import records
from graph_crm.model.audit import relation_id
from graph_crm.model.records import (
    _check_properties,
    _endpoint_key,
    _plain_key,
    _plain_properties,
    _Shape,
    check_links,
    global_id,
)
from graph_crm.model.types import parse_relation_type
from graph_crm.store.links import LinkBatch

REL = parse_relation_type(
    {"name": "SHIPS_TO", "from": "Customer", "to": "Site",
     "properties": [{"name": "weight", "kind": "FLOAT"}]}
)  # fmt: skip
#: ASCII with ":", "%", ">", spaces and a few characters keys may or may not hold
ENDS = st.text(
    st.sampled_from("aZ09 :%>-_~\t\u00e9\u200be\u0301") | st.characters(), max_size=8
) | st.sampled_from(["Customer:ACME", "Site:x:y", "Other:k", "x" * 256, "x" * 257, ""])


def _long_way(raw: object, expected: str) -> str | InvalidInput:
    try:
        return _endpoint_key(raw, expected, ())
    except InvalidInput as error:
        return error


@given(ENDS)
def test_a_plain_key_is_what_the_long_way_makes_of_it(raw: str) -> None:
    if _plain_key(raw):
        assert _long_way(raw, "Customer") == raw


@given(ENDS, ENDS)
def test_check_links_keeps_every_answer_of_the_long_way(from_raw: str, to_raw: str) -> None:
    ends = (_long_way(from_raw, "Customer"), _long_way(to_raw, "Site"))
    row = {"from": from_raw, "to": to_raw, "properties": {"weight": 0.5}}
    refused = next((e for e in ends if isinstance(e, InvalidInput)), None)
    if refused is None:
        (link,) = check_links(REL, [row], with_properties=True)
        assert (link.from_key, link.to_key) == ends
        return
    with pytest.raises(InvalidInput) as caught:
        check_links(REL, [row], with_properties=True)
    (issue,) = caught.value.issues
    assert issue.path[:2] == ("links", 0)
    assert issue.message == refused.issues[0].message
    assert issue.path[2] == ("from" if isinstance(ends[0], InvalidInput) else "to")


@pytest.mark.parametrize(
    ("row", "path"),
    [
        ({"from": " A", "to": "B"}, ("links", 1, "from")),
        ({"from": "A", "to": "B\t"}, ("links", 1, "to")),
        ({"from": "Site:A", "to": "B"}, ("links", 1, "from")),
        ({"from": 7, "to": "B"}, ("links", 1, "from")),
        ({"from": "A", "to": "B", "properties": {"weight": "heavy"}},
         ("links", 1, "properties", "weight")),
        ({"from": "A", "to": "B", "properties": {"colour": 1}},
         ("links", 1, "properties", "colour")),
        ({"from": "P", "to": "Q", "extra": 1}, ("links", 1)),
        ({"from": "K", "to": "L"}, ("links", 1)),
    ],
)  # fmt: skip
def test_refusals_after_a_plain_row_name_their_own_row(
    row: dict[str, Any], path: tuple[object, ...]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_links(REL, [{"from": "K", "to": "L"}, row], with_properties=True)
    assert [issue.path for issue in caught.value.issues] == [path]


@given(st.lists(st.tuples(ENDS, ENDS), max_size=5))
def test_audit_ids_are_relation_ids(ends: list[tuple[str, str]]) -> None:
    batch = LinkBatch(REL, [], "tester")
    assert batch.relation_ids(ends) == [
        relation_id(REL.name, global_id("Customer", f), global_id("Site", t)) for f, t in ends
    ]


FILLED = parse_relation_type(
    {"name": "RATES", "from": "Customer", "to": "Site", "properties": [
        {"name": "weight", "kind": "FLOAT"}, {"name": "tier", "kind": "INT", "default": 1},
        {"name": "note", "kind": "STRING", "required": True}]}
)  # fmt: skip
RAW_PROPERTIES = st.dictionaries(
    st.sampled_from(["weight", "tier", "note", "colour"]),
    st.none() | st.floats() | st.integers() | st.text(max_size=3) | st.booleans(),
    max_size=4,
)


@given(RAW_PROPERTIES)
def test_plain_properties_are_what_the_long_way_gives(raw: dict[str, Any]) -> None:
    shape = _Shape.of(FILLED)
    issues: list[Issue] = []
    long_way = _check_properties(shape, raw, ("p",), frozenset(), issues)
    plain = _plain_properties(shape, raw)
    assert plain is None or (not issues and plain == long_way)
    assert plain is not None or issues or long_way != raw


LINK_ROWS = st.lists(
    st.one_of(
        st.fixed_dictionaries(
            {"from": ENDS, "to": ENDS},
            optional={"properties": st.none() | RAW_PROPERTIES, "extra": st.integers()},
        ),
        st.fixed_dictionaries({"from": st.sampled_from("ABC"), "to": st.sampled_from("ABC")}),
        st.just(["not", "a", "dict"]),
    ),
    max_size=6,
)


def _row_by_row(relation_type: Any, rows: list[Any], with_properties: bool) -> object:
    """What check_links gives with the batch path turned off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(records, "_plain_links", lambda *args: None)
        return _outcome(relation_type, rows, with_properties)


def _outcome(relation_type: Any, rows: list[Any], with_properties: bool) -> object:
    try:
        return check_links(relation_type, rows, with_properties=with_properties)
    except InvalidInput as error:
        return [(issue.code, issue.message, issue.path) for issue in error.issues]


@pytest.mark.parametrize("relation_type", [REL, FILLED], ids=["optional", "required"])
@pytest.mark.parametrize("with_properties", [True, False])
@given(rows=LINK_ROWS)
def test_a_batch_checked_at_once_is_what_row_by_row_gives(
    relation_type: Any, with_properties: bool, rows: list[Any]
) -> None:
    expected = _row_by_row(relation_type, rows, with_properties)
    assert _outcome(relation_type, rows, with_properties) == expected


def test_a_plain_batch_is_checked_at_once() -> None:
    rows = [{"from": f"C-{i}", "to": f"S {i}", "properties": {"weight": i / 2}} for i in range(3)]
    rows.append({"from": "C-9", "to": "S 9"})
    checked = records._plain_links(_Shape.of(REL), rows, True)
    assert checked == _row_by_row(REL, rows, True)
    assert [(r.from_key, r.to_key, r.properties) for r in checked or []] == [
        ("C-0", "S 0", {"weight": 0.0}), ("C-1", "S 1", {"weight": 0.5}),
        ("C-2", "S 2", {"weight": 1.0}), ("C-9", "S 9", {}),
    ]  # fmt: skip
    # each of these sends the batch row by row
    for bad in ({"from": "C-0", "to": "S 0"}, {"from": " C", "to": "S"}, {"from": "C", "to": "S "},
                {"from": "C:1", "to": "S"}, {"from": "C", "to": ""}, {"from": "C", "to": "é"},
                {"from": "C", "to": "S", "properties": {"weight": "x"}}, ["C", "S"],
                {"from": "C", "to": "S", "note": 1}, {"from": "C", "to": "x" * 257}):  # fmt: skip
        assert records._plain_links(_Shape.of(REL), [*rows, bad], True) is None, bad
    assert records._plain_links(_Shape.of(FILLED), [{"from": "C", "to": "S"}], True) is None
    assert records._plain_links(_Shape.of(REL), [], True) == []
