"""The batch encoder, the value checks and the key fast path give exactly what the plain
forms give: a revision stored before them must still match, and a key or a value must be
refused as before."""

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
from graph_crm.model.types import PropertySpec, parse_entity_type
from graph_crm.model.values import ValueProblem, coerce, coercer, datetime_to_text, value_to_json

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


ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
)
#: the values at each kind's edges, tried on every run rather than when drawn
EDGES = [
    *("GOLD", "SILVER", "gold", "a\x00b", "x" * 65_537, "2026-02-30", "2026-11-23T09:30:00Z"),
    *(2**63 - 1, 2**63, -(2**63), -(2**63) - 1, True, False, 0, 1.0),
    *(float("nan"), float("inf"), float("-inf"), -0.0, 1e308),
    *(date(2026, 1, 2), datetime(2026, 1, 2), datetime(2026, 1, 2, tzinfo=UTC)),
    datetime(2026, 1, 2, tzinfo=timezone(timedelta(hours=8))),
]
ANY_VALUE = (
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(EDGES)
    | st.dates()
    | st.datetimes()
    | st.datetimes(timezones=ZONES)
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
)
SPECS = [
    PropertySpec(name="p", kind=kind, values=("GOLD", "SILVER") if kind == "ENUM" else ())
    for kind in ("STRING", "INT", "FLOAT", "BOOLEAN", "DATE", "DATETIME", "ENUM", "JSON")
]


def _outcome(check: Any, raw: Any) -> tuple[str, Any]:
    """What a check makes of ``raw``: the canonical value and its type, or the refusal."""
    try:
        value = check(raw)
    except ValueProblem as problem:
        return "refused", str(problem)
    return type(value).__name__, value


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.kind.value)
@pytest.mark.parametrize("raw", EDGES, ids=repr)
def test_a_value_check_chosen_once_takes_each_edge_as_coerce_does(
    spec: PropertySpec, raw: Any
) -> None:
    fast, slow = _outcome(coercer(spec), raw), _outcome(lambda v: coerce(spec, v), raw)
    assert str(fast) == str(slow)  # str: NaN is not equal to itself


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.kind.value)
@given(raw=ANY_VALUE)
def test_a_value_check_chosen_once_accepts_and_refuses_as_coerce_does(
    spec: PropertySpec, raw: Any
) -> None:
    fast, slow = _outcome(coercer(spec), raw), _outcome(lambda v: coerce(spec, v), raw)
    assert str(fast) == str(slow)  # str: NaN is not equal to itself


@given(st.datetimes(timezones=ZONES))
def test_a_date_time_is_written_as_its_utc_isoformat(moment: datetime) -> None:
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    assert datetime_to_text(moment) == utc.isoformat(timespec="microseconds") + "Z"
