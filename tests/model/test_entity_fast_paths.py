"""check_entity_records' fast path (a dict row, a plain key seen once, properties that
pass as they are) gives exactly what the long way gives: the same records, or the same
refusals at the same paths. A read-only mapping of the same row takes the long way."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from graph_crm.errors import InvalidInput
from graph_crm.model.entity_keys import canonical_key
from graph_crm.model.records import EntityRecord, _plain_entity_key, check_entity_records
from graph_crm.model.types import EntityType, parse_entity_type

ACCOUNT = parse_entity_type(
    {"name": "Account", "properties": [
        {"name": "name", "kind": "STRING", "required": True},
        {"name": "tier", "kind": "INT", "default": 1},
        {"name": "since", "kind": "DATE"},
        {"name": "score", "kind": "FLOAT"}]}
)  # fmt: skip
#: no property to fill, so that most rows take the fast path
LEAD = parse_entity_type(
    {"name": "Lead", "properties": [
        {"name": "name", "kind": "STRING"}, {"name": "tier", "kind": "INT"},
        {"name": "since", "kind": "DATE"}, {"name": "score", "kind": "FLOAT"}]}
)  # fmt: skip
#: keys plain and not: spaces at the ends, ":", controls, non-ASCII, NFD, the length limits
KEYS = st.text(
    st.sampled_from("aZ09 :%-_\t\u00e9\u200be\u0301") | st.characters(), max_size=6
) | st.sampled_from(["A", "A:1", "x" * 256, "x" * 257, "", 7, None])
VALUES = st.none() | st.integers() | st.floats() | st.text(max_size=3) | st.booleans()
#: each property's field: most often a value of its kind, else anything
FIELDS = {
    "name": st.text(max_size=3) | VALUES,
    "tier": st.integers(-5, 5) | VALUES,
    "since": st.dates() | VALUES,
    "score": st.floats(allow_nan=False) | VALUES,
    "colour": VALUES,
    "id": VALUES,
}
ROWS = st.fixed_dictionaries(
    {"key": st.sampled_from(["A", "B", "A:1", "x" * 256]) | KEYS}, optional=FIELDS
)


def _outcome(
    entity_type: EntityType, rows: list[Any]
) -> list[EntityRecord] | list[tuple[str, str, tuple[Any, ...]]]:
    try:
        return check_entity_records(entity_type, rows)
    except InvalidInput as error:
        return [(issue.code, issue.message, issue.path) for issue in error.issues]


@pytest.mark.parametrize("entity_type", [ACCOUNT, LEAD], ids=lambda t: t.name)
@given(rows=st.lists(ROWS, max_size=4))
@example(rows=[{"key": "A", "name": "n"}, {"key": "B", "name": "m", "tier": 3}])
@example(rows=[{"key": "A", "name": "n"}, {"key": "A", "name": "n"}])
def test_the_fast_path_keeps_every_answer_of_the_long_way(
    entity_type: EntityType, rows: list[dict[str, Any]]
) -> None:
    fast = _outcome(entity_type, rows)
    assert fast == _outcome(entity_type, [MappingProxyType(row) for row in rows])


@given(KEYS)
def test_a_plain_entity_key_is_what_canonical_key_makes_of_it(raw: Any) -> None:
    if isinstance(raw, str) and _plain_entity_key(raw):
        assert canonical_key(raw) == raw


@pytest.mark.parametrize(
    ("row", "path"),
    [
        ({"key": " A", "name": "n", "tier": 2}, ("records", 1, "key")),
        ({"key": "K", "name": "n", "tier": 2}, ("records", 1, "key")),
        ({"key": "B", "name": 3, "tier": 2}, ("records", 1, "name")),
        ({"key": "B", "tier": 2}, ("records", 1, "name")),
        ({"key": "B", "name": "n", "tier": 2, "colour": "red"}, ("records", 1, "colour")),
    ],
)
def test_refusals_after_a_plain_row_name_their_own_row(
    row: dict[str, Any], path: tuple[object, ...]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_entity_records(ACCOUNT, [{"key": "K", "name": "first", "tier": 2}, row])
    assert [issue.path for issue in caught.value.issues] == [path]
