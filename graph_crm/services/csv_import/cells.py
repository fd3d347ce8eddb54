"""A CSV cell read as its property's kind (pure): the value the API would take, or why not.

The result is what a JSON client would send (dates and date-times as ISO text, numbers as
numbers), so the records go through the same checks as every other write.

>>> from graph_crm.model.types import PropertyKind, PropertySpec
>>> from graph_crm.services.csv_import.mapping import Column
>>> placed = PropertySpec(name="placed", kind=PropertyKind.DATE)
>>> read = cell_reader(Column(property="placed", format=("%Y-%m-%d %H:%M:%S.%f",)), placed)
>>> read("1996-07-04 00:00:00.000")
'1996-07-04'
>>> price = PropertySpec(name="price", kind=PropertyKind.FLOAT)
>>> cell_reader(Column(property="price", decimal=",", thousands="."), price)("1.234,5")
1234.5
>>> cell_reader(Column(property="price"), price)("NULL") is None
True
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from graph_crm.model.types import PropertyKind, PropertySpec
from graph_crm.services.csv_import.mapping import DEFAULT_NULLS, Column

TRUE: Final = ("true", "t", "yes", "y", "1", "是")
FALSE: Final = ("false", "f", "no", "n", "0", "否")
CellReader = Callable[[str], Any]


class CellError(ValueError):
    """Why a cell cannot be read as its property's kind."""


def cell_reader(
    column: Column,
    spec: PropertySpec,
    *,
    nulls: tuple[str, ...] = DEFAULT_NULLS,
    trim: bool = True,
) -> CellReader:
    """A function from a cell's text to its value (None: no value)."""
    null_cells = frozenset(column.nulls if column.nulls is not None else nulls)
    strip = column.trim if column.trim is not None else trim
    convert = _converter(column, spec)
    values = column.values

    def read(text: str) -> Any:
        if strip:
            text = text.strip()
        if text in null_cells:
            return None
        if values is not None:
            if text not in values:
                raise CellError(f"{text!r} is none of the mapped values {', '.join(values)}")
            text = values[text]
        return convert(text)

    return read


def _converter(column: Column, spec: PropertySpec) -> CellReader:
    kind = spec.kind
    if kind is PropertyKind.INT:
        return lambda text: _integer(_number_text(text, column))
    if kind is PropertyKind.FLOAT:
        return lambda text: _float(_number_text(text, column))
    if kind is PropertyKind.BOOLEAN:
        return _boolean(column)
    if kind is PropertyKind.DATE:
        return _dates(column, as_date=True)
    if kind is PropertyKind.DATETIME:
        return _dates(column, as_date=False)
    if kind is PropertyKind.JSON:
        return _json
    return lambda text: text  # STRING, ENUM: the model checks the text


def _number_text(text: str, column: Column) -> str:
    if column.thousands:
        text = text.replace(column.thousands, "")
    if column.decimal == ",":
        if "." in text:
            raise CellError(f"{text!r}: the decimal mark here is ','")
        text = text.replace(",", ".")
    return text


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CellError(f"{text!r} is not a whole number") from None


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CellError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise CellError(f"{text!r} is not a finite number")
    return value


def _boolean(column: Column) -> CellReader:
    truthy = {item.lower() for item in (column.true or TRUE)}
    falsy = {item.lower() for item in (column.false or FALSE)}

    def read(text: str) -> bool:
        folded = text.lower()
        if folded in truthy:
            return True
        if folded in falsy:
            return False
        raise CellError(f"{text!r} is neither true ({', '.join(sorted(truthy))}) nor false")

    return read


def _dates(column: Column, *, as_date: bool) -> CellReader:
    formats = column.format
    zone = _zone(column.timezone)

    # exports repeat their dates (a day's orders): each distinct text is parsed once
    @lru_cache(maxsize=16_384)
    def read(text: str) -> str:
        parsed = _parse(text, formats)
        if as_date:
            return (parsed if isinstance(parsed, date) and not isinstance(parsed, datetime)
                    else parsed.date()).isoformat()  # fmt: skip
        moment = parsed if isinstance(parsed, datetime) else datetime(*parsed.timetuple()[:3])
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        return moment.isoformat()

    return read


def _parse(text: str, formats: tuple[str, ...] | None) -> date | datetime:
    if formats is None:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise CellError(
                f"{text!r} is not an ISO 8601 date or date-time; give a format"
            ) from None
    for pattern in formats:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise CellError(f"{text!r} matches none of the formats {', '.join(formats)}")


def _zone(name: str | None) -> Any:
    if name is None or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CellError(f"unknown time zone {name!r}") from None


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise CellError(f"not JSON: {error}") from None
