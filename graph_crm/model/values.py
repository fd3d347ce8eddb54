"""Typed property values: checking raw input and the JSON form used for storage.

Canonical Python values: ``str`` (STRING, ENUM), ``int`` (INT, 64-bit), ``float``
(FLOAT, finite), ``bool``, ``datetime.date`` (DATE), timezone-aware UTC
``datetime.datetime`` with microsecond precision (DATETIME), and any JSON value
(JSON). The JSON form writes dates as ISO 8601 text that sorts like the value.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Final

from graph_crm.errors import InvalidInput, PathPart
from graph_crm.model.types import PropertyKind, PropertySpec

MAX_STRING_LENGTH: Final = 65_536
MAX_JSON_BYTES: Final = 262_144
MAX_JSON_DEPTH: Final = 32
INT_MIN: Final = -(2**63)
INT_MAX: Final = 2**63 - 1

_DATE_RE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME_RE: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})", re.ASCII
)


class ValueProblem(Exception):
    """Raised inside this module; callers turn it into an :class:`InvalidInput`."""


def _json_depth(value: Any, depth: int = 0) -> int:
    if depth > MAX_JSON_DEPTH:
        return depth
    if isinstance(value, dict):
        return max((_json_depth(v, depth + 1) for v in value.values()), default=depth + 1)
    if isinstance(value, list):
        return max((_json_depth(v, depth + 1) for v in value), default=depth + 1)
    return depth


def _parse_datetime(text: str) -> datetime:
    if _DATETIME_RE.fullmatch(text) is None:
        raise ValueProblem(
            f"{text[:40]!r} is not an ISO 8601 date-time with a time zone, "
            "e.g. 2026-11-23T09:30:00Z"
        )
    text = text.replace("Z", "+00:00")
    # Python parses at most microseconds: cut any extra fractional digits.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    return datetime.fromisoformat(text)


def coerce(spec: PropertySpec, raw: Any) -> Any:
    """``raw`` as ``spec``'s canonical value; :class:`ValueProblem` if it is not one."""
    kind = spec.kind
    if kind is PropertyKind.STRING:
        if not isinstance(raw, str):
            raise ValueProblem(f"expected a string, got {_describe(raw)}")
        if len(raw) > MAX_STRING_LENGTH:
            raise ValueProblem(f"string is longer than {MAX_STRING_LENGTH} characters")
        if "\x00" in raw:
            raise ValueProblem("string contains a NUL character")
        return raw
    if kind is PropertyKind.INT:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueProblem(f"expected an integer, got {_describe(raw)}")
        if not INT_MIN <= raw <= INT_MAX:
            raise ValueProblem("integer does not fit in 64 bits")
        return raw
    if kind is PropertyKind.FLOAT:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueProblem(f"expected a number, got {_describe(raw)}")
        if isinstance(raw, int) and not INT_MIN <= raw <= INT_MAX:
            raise ValueProblem("number is out of range")
        number = float(raw)
        if not math.isfinite(number):
            raise ValueProblem("number must be finite")
        return number
    if kind is PropertyKind.BOOLEAN:
        if not isinstance(raw, bool):
            raise ValueProblem(f"expected true or false, got {_describe(raw)}")
        return raw
    if kind is PropertyKind.DATE:
        if isinstance(raw, datetime):
            raise ValueProblem("expected a date, got a date-time")
        if isinstance(raw, date):
            return raw
        if isinstance(raw, str) and _DATE_RE.fullmatch(raw):
            try:
                return date.fromisoformat(raw)
            except ValueError as exc:
                raise ValueProblem(f"{raw!r} is not a valid date: {exc}") from None
        raise ValueProblem(f"expected a date as YYYY-MM-DD, got {_describe(raw)}")
    if kind is PropertyKind.DATETIME:
        if isinstance(raw, str):
            try:
                raw = _parse_datetime(raw)
            except ValueError as exc:
                raise ValueProblem(f"{raw[:40]!r} is not a valid date-time: {exc}") from None
        if not isinstance(raw, datetime):
            raise ValueProblem(f"expected an ISO 8601 date-time, got {_describe(raw)}")
        if raw.tzinfo is UTC:
            return raw  # already canonical
        if raw.tzinfo is None or raw.utcoffset() is None:
            raise ValueProblem("date-time needs a time zone, e.g. 2026-11-23T09:30:00Z")
        return raw.astimezone(UTC)
    if kind is PropertyKind.ENUM:
        if not isinstance(raw, str) or raw not in spec.values:
            allowed = ", ".join(spec.values[:20])
            raise ValueProblem(f"{_describe(raw)} is not one of: {allowed}")
        return raw
    if kind is PropertyKind.JSON:
        try:
            text = json.dumps(raw, ensure_ascii=False, allow_nan=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise ValueProblem(f"not a JSON value: {exc}") from None
        if len(text.encode()) > MAX_JSON_BYTES:
            raise ValueProblem(f"JSON value is larger than {MAX_JSON_BYTES} bytes")
        if _json_depth(raw) > MAX_JSON_DEPTH:
            raise ValueProblem(f"JSON value is nested deeper than {MAX_JSON_DEPTH} levels")
        return json.loads(text)
    raise AssertionError(f"unhandled kind {kind}")  # pragma: no cover


def coercer(spec: PropertySpec) -> Callable[[Any], Any]:
    """:func:`coerce` for ``spec``, its kind looked at once rather than per value (a batch
    checks thousands): a value already canonical passes one test, anything else is left
    to :func:`coerce`, which accepts or refuses it.

    >>> from graph_crm.model.types import PropertySpec
    >>> check = coercer(PropertySpec(name="due", kind="DATE"))
    >>> check(date(2026, 12, 1)), check("2026-12-01")
    (datetime.date(2026, 12, 1), datetime.date(2026, 12, 1))
    """
    kind = spec.kind
    # ``type(raw) is ...``, not isinstance: a subclass (bool for int) takes the long way.
    if kind is PropertyKind.STRING:

        def string(raw: Any) -> Any:
            if type(raw) is str and len(raw) <= MAX_STRING_LENGTH and "\x00" not in raw:
                return raw
            return coerce(spec, raw)

        return string
    if kind is PropertyKind.INT:
        return lambda raw: (
            raw if type(raw) is int and INT_MIN <= raw <= INT_MAX else coerce(spec, raw)
        )
    if kind is PropertyKind.FLOAT:
        return lambda raw: raw if type(raw) is float and math.isfinite(raw) else coerce(spec, raw)
    if kind is PropertyKind.BOOLEAN:
        return lambda raw: raw if raw is True or raw is False else coerce(spec, raw)
    if kind is PropertyKind.DATE:
        return lambda raw: raw if type(raw) is date else coerce(spec, raw)
    if kind is PropertyKind.DATETIME:
        return lambda raw: raw if type(raw) is datetime and raw.tzinfo is UTC else coerce(spec, raw)
    if kind is PropertyKind.ENUM:
        allowed = frozenset(spec.values)
        return lambda raw: raw if type(raw) is str and raw in allowed else coerce(spec, raw)
    return lambda raw: coerce(spec, raw)


def _describe(raw: Any) -> str:
    if raw is None:
        return "null"
    if isinstance(raw, str):
        return f"string {raw[:40]!r}"
    return type(raw).__name__


def coerce_value(spec: PropertySpec, raw: Any, path: tuple[PathPart, ...] = ()) -> Any:
    """Check ``raw`` against ``spec`` and return its canonical value.

    >>> from graph_crm.model.types import PropertySpec
    >>> coerce_value(PropertySpec(name="due", kind="DATE"), "2026-12-01")
    datetime.date(2026, 12, 1)
    >>> coerce_value(PropertySpec(name="n", kind="INT"), "7")
    Traceback (most recent call last):
    ...
    graph_crm.errors.InvalidInput: INVALID_INPUT: n: expected an integer, got string '7'
    """
    try:
        return coerce(spec, raw)
    except ValueProblem as problem:
        raise InvalidInput(f"{spec.name}: {problem}", path=path) from None


def value_to_json(kind: PropertyKind, value: Any) -> Any:
    """The JSON form of a canonical value (dates as sortable ISO text).

    >>> value_to_json(PropertyKind.DATETIME, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    '2026-01-02T03:04:05.000000Z'
    """
    if value is None:
        return None
    if kind is PropertyKind.DATETIME:
        return datetime_to_text(value)
    if kind is PropertyKind.DATE:
        return value.isoformat()
    return value


def value_from_json(kind: PropertyKind, value: Any) -> Any:
    """Inverse of :func:`value_to_json` for stored (already valid) values."""
    if value is None:
        return None
    if kind is PropertyKind.DATETIME:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    if kind is PropertyKind.DATE:
        return date.fromisoformat(value)
    if kind is PropertyKind.FLOAT:
        return float(value)
    return value


def datetime_to_text(value: datetime) -> str:
    """Fixed-width UTC text, so text order is time order."""
    if value.tzinfo is UTC:  # the common case, written out (twice as fast as isoformat)
        v = value
        return "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ" % (  # noqa: UP031
            v.year, v.month, v.day, v.hour, v.minute, v.second, v.microsecond
        )  # fmt: skip
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
