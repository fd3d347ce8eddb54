"""The batch encoder and the key fast path give exactly what the plain forms give: a
revision stored before them must still match, and a key must be refused as before."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graph_crm.errors import InvalidInput
from graph_crm.model.entity_keys import _normalized, _refusal, canonical_key
from graph_crm.model.records import encode_all, encode_properties
from graph_crm.model.types import parse_entity_type
from graph_crm.model.values import value_to_json

KINDS = {"s": "STRING", "i": "INT", "f": "FLOAT", "b": "BOOLEAN", "d": "DATE", "t": "DATETIME",
         "j": "JSON", "e": "STRING"}  # fmt: skip
SHAPE = parse_entity_type(
    {"name": "Probe", "properties": [{"name": n, "kind": k} for n, k in KINDS.items()]}
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
ROWS = st.fixed_dictionaries(
    {},
    optional={
        "s": st.text(),
        "i": st.integers(-(2**63), 2**63 - 1),
        "f": st.floats(allow_nan=False, allow_infinity=False),
        "b": st.booleans(),
        "d": st.dates(),
        "t": st.datetimes(timezones=st.just(UTC)),
        "j": JSON_VALUES,
        "e": st.sampled_from(["", "é", "\u2028", '"\\', "\x7f"]),
    },
)


def _plain(properties: dict[str, Any]) -> tuple[str, str]:
    """The encoding as first written: one ``json.dumps`` per row."""
    kinds = {spec.name: spec.kind for spec in SHAPE.properties}
    payload = {name: value_to_json(kinds[name], value) for name, value in properties.items()}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text, hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@given(st.lists(ROWS, max_size=5))
def test_the_batch_encoder_gives_the_revisions_one_json_dumps_per_row_gave(
    rows: list[dict[str, Any]],
) -> None:
    assert encode_all(SHAPE, rows) == [_plain(row) for row in rows]


def test_a_date_time_in_another_zone_is_encoded_in_utc() -> None:
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=8)))
    text, _ = encode_properties(SHAPE, {"t": moment, "d": date(2026, 1, 2)})
    assert text == '{"d":"2026-01-02","t":"2026-01-01T19:04:05.000000Z"}'


@given(st.text(alphabet=st.characters(max_codepoint=0x7F), min_size=1, max_size=300))
def test_an_ascii_key_is_accepted_or_refused_as_the_character_by_character_check_does(
    key: str,
) -> None:
    try:
        slow: str | None = _normalized(key, (), _refusal)
        if slow and (slow[0] == " " or slow[-1] == " "):
            slow = None
    except InvalidInput:
        slow = None
    try:
        fast: str | None = canonical_key(key)
    except InvalidInput:
        fast = None
    assert fast == slow


@pytest.mark.parametrize("key", ["", "a\tb", "x" * 257, " lead", "trail "])
def test_hostile_ascii_keys_are_still_refused(key: str) -> None:
    with pytest.raises(InvalidInput):
        canonical_key(key)
